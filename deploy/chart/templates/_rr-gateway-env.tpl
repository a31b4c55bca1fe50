{{/*
The admission container's environment: admission.env, with the settings the
structured values own (rr-gateway.settings, generated from
hack/chart-settings.ts) written in place where admission.env names them, and
added after it where it does not and the value differs from the gateway's
default. So the chart with no values renders the plain manifest's
environment, order included, and a value always wins over admission.env.
*/}}
{{- define "rr-gateway.env" -}}
{{- include "rr-gateway.validate" . -}}
{{- $settings := include "rr-gateway.settings" . | fromYaml -}}
{{- $env := list -}}
{{- $listed := dict -}}
{{- range .Values.admission.env -}}
{{- if hasKey $settings .name -}}
{{- $_ := set $listed .name true -}}
{{- $env = append $env (dict "name" .name "value" (first (get $settings .name))) -}}
{{- else -}}
{{- $env = append $env . -}}
{{- end -}}
{{- end -}}
{{- range $name := keys $settings | sortAlpha -}}
{{- $setting := get $settings $name -}}
{{- if and (not (hasKey $listed $name)) (ne (first $setting) (last $setting)) -}}
{{- $env = append $env (dict "name" $name "value" (first $setting)) -}}
{{- end -}}
{{- end -}}
{{- toYaml $env -}}
{{- end -}}

{{/* Combinations the gateway would refuse at start, refused at install instead. */}}
{{- define "rr-gateway.validate" -}}
{{- if and (eq .Values.gateway.auth.mode "static") (not .Values.gateway.auth.staticTokens.secretName) -}}
{{- fail "gateway.auth.mode=static needs gateway.auth.staticTokens.secretName: an existing Secret in pepr-system with the tokens, one per line" -}}
{{- end -}}
{{- if and (eq .Values.gateway.auth.scope "namespace") (ne .Values.gateway.auth.mode "kubernetes") -}}
{{- fail (printf "gateway.auth.scope=namespace needs gateway.auth.mode=kubernetes (senders with a Kubernetes identity), not %s" .Values.gateway.auth.mode) -}}
{{- end -}}
{{- end -}}
