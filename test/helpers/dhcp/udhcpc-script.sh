#!/bin/sh
# busybox udhcpc event script for the tests: report the lease instead of configuring anything.
case "$1" in
  bound|renew) echo "LEASE ip=$ip serverid=$serverid router=${router:-none} subnet=$subnet lease=$lease" ;;
  leasefail|nak) echo "EVENT $1" ;;
esac
exit 0
