cp /tmp/guest.xml /tmp/new-guest.xml
vi /tmp/new-guest.xml
