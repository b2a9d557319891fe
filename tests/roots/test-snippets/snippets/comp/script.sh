#!/bin/sh
echo "tab	here"  
