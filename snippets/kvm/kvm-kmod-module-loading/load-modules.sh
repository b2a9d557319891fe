/etc/sysconfig/modules/kvm.modules
