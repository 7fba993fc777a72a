// Package deploytest checks the deploy files without Docker or a cluster:
// docker-compose.yml against the Compose Specification (compose-go's
// schema and loader), the Kubernetes manifests by strict decoding into the
// real API types plus the rules a cluster would only show at run time
// (probes, selectors, references, security context), the Dockerfile and
// the systemd unit for what they must contain, and every DOWNLINK_*
// variable they set against the config's own names, so a renamed variable
// fails here. It holds tests only.
package deploytest
