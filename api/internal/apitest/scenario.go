package apitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/downlink/downlink/api/internal/clip"
)

// Scenario is one request of a scenario table and what a user would see
// in its answer (pocketbase's tests.ApiScenario): run in order through the
// real router, each checked against the contract as every exchange is.
type Scenario struct {
	Name   string
	Client *Client // who sends it
	Method string  // default GET
	Path   string
	Body   any // as Client.Do
	Status int
	// Contains and Lacks are fragments the body must and must not hold.
	Contains []string
	Lacks    []string
	// Then checks what the response alone cannot show (state afterwards).
	Then func(t *testing.T, r *Response)
}

// RunScenarios runs the table in order, one subtest per row; a row's
// failure does not stop the rows after it.
func RunScenarios(t *testing.T, table []Scenario) {
	t.Helper()
	for _, sc := range table {
		t.Run(sc.Name, func(t *testing.T) {
			method := sc.Method
			if method == "" {
				method = http.MethodGet
			}
			r := sc.Client.Do(method, sc.Path, sc.Body)
			if r.Status != sc.Status {
				t.Fatalf("%s %s: status %d, want %d\nbody: %s", method, sc.Path, r.Status, sc.Status, clip.String(string(r.Body), 2000))
			}
			for _, f := range sc.Contains {
				if !strings.Contains(string(r.Body), f) {
					t.Errorf("%s %s: body lacks %q\nbody: %s", method, sc.Path, f, clip.String(string(r.Body), 2000))
				}
			}
			for _, f := range sc.Lacks {
				if strings.Contains(string(r.Body), f) {
					t.Errorf("%s %s: body holds %q\nbody: %s", method, sc.Path, f, clip.String(string(r.Body), 2000))
				}
			}
			if sc.Then != nil {
				sc.Then(t, r)
			}
		})
	}
}
