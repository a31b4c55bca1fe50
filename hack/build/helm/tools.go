//go:build tools

// Pins cmd/helm in go.mod/go.sum so `go build helm.sh/helm/v3/cmd/helm` resolves offline after the first run.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
