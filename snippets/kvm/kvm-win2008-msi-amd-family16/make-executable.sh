chmod 755 /usr/libexec/qemu-kvm.family16
