package managed_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/ytdlp/managed"
)

// riverQueueName is River's rule for queue names (client.go nameRegex).
var riverQueueName = regexp.MustCompile(`^(?:[a-z0-9])+(?:[_|\-]?[a-z0-9]+)*$`)

// TestQueueNamePerNode: every node name becomes a valid River queue name
// of at most 64 characters, and names that clean up alike stay apart.
func TestQueueNamePerNode(t *testing.T) {
	t.Parallel()
	names := []string{"api", "worker-1", "Worker_1", "worker.1", "node a", "ÄÖÜ", "", strings.Repeat("x", 200), "downlink-7d9f8c-abcde"}
	seen := map[string]string{}
	for _, n := range names {
		q := managed.QueueName(n)
		if len(q) > 64 || !riverQueueName.MatchString(q) {
			t.Errorf("QueueName(%q) = %q: not a River queue name", n, q)
		}
		if other, ok := seen[q]; ok {
			t.Errorf("%q and %q share queue %q", n, other, q)
		}
		seen[q] = n
		if managed.QueueName(n) != q {
			t.Errorf("QueueName(%q) is not stable", n)
		}
	}
}
