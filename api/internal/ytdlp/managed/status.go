package managed

import (
	"context"
	"fmt"
	"strings"
)

// Status is every node's yt-dlp and the setting.
func (s *Service) Status(ctx context.Context) (Status, error) {
	s.refreshActive(ctx)
	nodes, err := s.nodes(ctx)
	if err != nil {
		return Status{}, err
	}
	alive := map[string]bool{}
	for _, n := range nodes {
		alive[n.Name] = n.Alive
	}
	alive[s.node] = true
	var rows []nodeRow
	if err := s.db.WithContext(ctx).Order("node").Find(&rows).Error; err != nil {
		return Status{}, err
	}
	now := s.now()
	st := Status{Settings: s.Policy(ctx), Nodes: []NodeState{}}
	versions := map[string]bool{}
	for _, r := range rows {
		isAlive, seen := alive[r.Node]
		if !seen {
			continue // gone for a day: the node registry forgot it
		}
		st.Nodes = append(st.Nodes, r.view(isAlive, now))
		if isAlive {
			versions[r.ActiveVersion] = true
		}
	}
	st.VersionsDiffer = len(versions) > 1
	return st, nil
}

// Warnings are readiness warnings: this node's yt-dlp is older than
// MaxAge, or the alive nodes run different versions.
func (s *Service) Warnings(ctx context.Context) []string {
	var out []string
	a := s.refreshActive(ctx)
	if d, ok := releasedOn(a.Version); ok && s.now().Sub(d) > MaxAge {
		out = append(out, fmt.Sprintf("yt-dlp %s on this node is %d days old (more than %d): update it on the System page",
			a.Version, int(s.now().Sub(d).Hours()/24), int(MaxAge.Hours()/24)))
	}
	st, err := s.Status(ctx)
	if err != nil {
		// Readiness reports an unreachable database by itself.
		s.log.Debug("cannot compare the nodes' yt-dlp versions", "err", err)
		return out
	}
	if st.VersionsDiffer {
		var parts []string
		for _, n := range st.Nodes {
			if n.Alive {
				v := "unknown"
				if n.Active.Version != nil {
					v = *n.Active.Version
				}
				parts = append(parts, n.Node+" "+v)
			}
		}
		out = append(out, "the nodes run different yt-dlp versions ("+strings.Join(parts, ", ")+"): update them all on the System page")
	}
	return out
}
