package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/downlink/downlink/api/internal/platforms"
)

// normalizeCluster parses DOWNLINK_CLUSTER_MAX_CONCURRENT
// ("youtube=4,instagram=1") into ClusterCaps.
func (c *Config) normalizeCluster() []error {
	var errs []error
	c.ClusterCaps = map[string]int{}
	for _, item := range c.ClusterMaxConcurrent {
		name, raw, ok := strings.Cut(item, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		n, err := strconv.Atoi(strings.TrimSpace(raw))
		switch {
		case !ok || err != nil:
			errs = append(errs, fmt.Errorf("DOWNLINK_CLUSTER_MAX_CONCURRENT %q: want platform=number, e.g. youtube=4", item))
		case !platforms.Known(name):
			errs = append(errs, fmt.Errorf("DOWNLINK_CLUSTER_MAX_CONCURRENT: unknown platform %q (want %s)", name, strings.Join(platforms.Names(), ", ")))
		case n < 1 || n > 1024:
			errs = append(errs, fmt.Errorf("DOWNLINK_CLUSTER_MAX_CONCURRENT %s=%d: want 1 to 1024", name, n))
		default:
			if _, dup := c.ClusterCaps[name]; dup {
				errs = append(errs, fmt.Errorf("DOWNLINK_CLUSTER_MAX_CONCURRENT names %s twice", name))
			}
			c.ClusterCaps[name] = n
		}
	}
	return errs
}
