restorecon /usr/libexec/qemu-kvm.family16
