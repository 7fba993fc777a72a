package webhooks

import "github.com/downlink/downlink/api/internal/netguard"

// SetDialPolicy replaces the connect-time policy (set it before deliveries
// run).
func (s *Service) SetDialPolicy(p netguard.Policy) { s.dialPolicy = p }

// Jitter exposes jitter to the tests.
var Jitter = jitter
