// Builds etcd from its published Go module (see hack/build-controlplane.sh).
module localcontrolplane/etcd

go 1.26.0

require go.etcd.io/etcd/server/v3 v3.6.16
