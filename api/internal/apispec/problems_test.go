package apispec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/downlink/downlink/api/internal/problem"
)

const problemBase = "https://downlink.dev/problems/"

// TestProblemTypeRegistry checks that the problem types the code can send,
// openapi.yaml's ProblemType enum and docs/errors.md's table are the same
// set, with the same status: a client that branches on `type` finds every
// type it can meet documented, and no documented type is a fiction.
func TestProblemTypeRegistry(t *testing.T) {
	code := problemsInCode(t, "../..")
	if len(code) < 20 {
		t.Fatalf("found only %d problem types in the code: the scan is broken", len(code))
	}

	var spec struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `json:"enum"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := yaml.Unmarshal(YAML, &spec); err != nil {
		t.Fatal(err)
	}
	inSpec := map[string]bool{}
	for _, u := range spec.Components.Schemas["ProblemType"].Enum {
		inSpec[strings.TrimPrefix(u, problemBase)] = true
	}

	doc, err := os.ReadFile("../../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	inDocs := map[string]int{}
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| ([0-9]{3}) \\|").FindAllStringSubmatch(string(doc), -1) {
		inDocs[m[1]], _ = strconv.Atoi(m[2])
	}

	for slug, p := range code {
		if !inSpec[slug] {
			t.Errorf("%s (%d, sent by %s) is not in openapi.yaml's ProblemType enum", slug, p.status, p.where)
		}
		if st, ok := inDocs[slug]; !ok {
			t.Errorf("%s (%d, sent by %s) has no row in docs/errors.md", slug, p.status, p.where)
		} else if st != p.status {
			t.Errorf("docs/errors.md gives %s status %d, the code %d (%s)", slug, st, p.status, p.where)
		}
	}
	for slug := range inSpec {
		if _, ok := code[slug]; !ok {
			t.Errorf("openapi.yaml's ProblemType lists %s, which the code never sends", slug)
		}
	}
	for slug := range inDocs {
		if _, ok := code[slug]; !ok {
			t.Errorf("docs/errors.md lists %s, which the code never sends", slug)
		}
	}
}

// TestProblemExamplesAreRegistered: every problem `type` written anywhere
// in openapi.yaml (examples included) is a registered one.
func TestProblemExamplesAreRegistered(t *testing.T) {
	code := problemsInCode(t, "../..")
	for _, m := range regexp.MustCompile(regexp.QuoteMeta(problemBase)+`([a-z0-9-]+)`).FindAllStringSubmatch(string(YAML), -1) {
		if _, ok := code[m[1]]; !ok {
			t.Errorf("openapi.yaml mentions the problem type %s, which the code never sends", m[1])
		}
	}
}

type sentProblem struct {
	status int
	where  string
}

// problemsInCode finds every problem the Go code under root builds with a
// constant status and title: problem.New(status, "Title"),
// problem.FromStatus(status) and echo.NewHTTPError(status, …) (which the
// error handler turns into FromStatus), keyed by the type's slug.
func problemsInCode(t *testing.T, root string) map[string]sentProblem {
	t.Helper()
	statuses := map[string]int{"StatusRequestEntityTooLarge": http.StatusRequestEntityTooLarge}
	for c := 100; c < 600; c++ {
		if txt := http.StatusText(c); txt != "" {
			statuses["Status"+strings.NewReplacer(" ", "", "-", "", "'", "").Replace(txt)] = c
		}
	}
	// What the error handler sends for errors Echo raises itself (routing,
	// binding) and for a request that ran out of time.
	out := map[string]sentProblem{}
	add := func(status int, title, where string) {
		s := strings.TrimPrefix(problem.New(status, title).Type, problemBase)
		if p, ok := out[s]; ok && p.status != status {
			t.Errorf("problem type %s has status %d at %s and %d at %s", s, p.status, p.where, status, where)
		}
		out[s] = sentProblem{status: status, where: where}
	}
	for _, st := range []int{http.StatusBadRequest, http.StatusMethodNotAllowed, http.StatusUnsupportedMediaType, http.StatusServiceUnavailable} {
		add(st, http.StatusText(st), "the error handler (Echo's own errors)")
	}

	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			slices.Contains(strings.Split(filepath.ToSlash(path), "/"), "testdata") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		status := func(e ast.Expr) int {
			switch v := e.(type) {
			case *ast.BasicLit:
				n, _ := strconv.Atoi(v.Value)
				return n
			case *ast.SelectorExpr:
				return statuses[v.Sel.Name]
			}
			return 0
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) == 0 {
				return true
			}
			var pkg, fn string
			switch fe := c.Fun.(type) {
			case *ast.SelectorExpr:
				if id, ok := fe.X.(*ast.Ident); ok {
					pkg, fn = id.Name, fe.Sel.Name
				}
			case *ast.Ident:
				if f.Name.Name == "problem" {
					pkg, fn = "problem", fe.Name
				}
			}
			where := fset.Position(c.Pos()).String()
			switch {
			case pkg == "problem" && fn == "New" && len(c.Args) == 2:
				lit, ok := c.Args[1].(*ast.BasicLit)
				st := status(c.Args[0])
				if !ok || st == 0 {
					if f.Name.Name != "problem" { // FromStatus's own New(status, title)
						t.Errorf("%s: problem.New needs a constant status and title, so the registry can list it", where)
					}
					return true
				}
				title, _ := strconv.Unquote(lit.Value)
				add(st, title, where)
			case pkg == "problem" && fn == "FromStatus", pkg == "echo" && fn == "NewHTTPError":
				if st := status(c.Args[0]); st != 0 {
					add(st, http.StatusText(st), where)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
