package deploytest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

const k8sDir = "deploy/k8s"

// manifests are the decoded objects of deploy/k8s, by kind.
type manifests struct {
	files       []string
	namespaces  []corev1.Namespace
	secrets     []corev1.Secret
	configMaps  []corev1.ConfigMap
	pvcs        []corev1.PersistentVolumeClaim
	deployments []appsv1.Deployment
	services    []corev1.Service
	ingresses   []networkingv1.Ingress
}

// loadManifests decodes every document strictly into its Kubernetes type:
// an unknown or misspelt field, a wrong type or a duplicate key fails.
func loadManifests(t *testing.T) manifests {
	t.Helper()
	dir := filepath.Join(repoRoot(t), k8sDir)
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	var m manifests
	for _, p := range paths {
		name := filepath.Base(p)
		if name == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, name)
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(raw, []byte("\n---")) {
			if len(bytes.TrimSpace(stripComments(doc))) == 0 {
				continue
			}
			where := fmt.Sprintf("%s#%d", name, i)
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			var target any
			switch tm.APIVersion + " " + tm.Kind {
			case "v1 Namespace":
				m.namespaces = append(m.namespaces, corev1.Namespace{})
				target = &m.namespaces[len(m.namespaces)-1]
			case "v1 Secret":
				m.secrets = append(m.secrets, corev1.Secret{})
				target = &m.secrets[len(m.secrets)-1]
			case "v1 ConfigMap":
				m.configMaps = append(m.configMaps, corev1.ConfigMap{})
				target = &m.configMaps[len(m.configMaps)-1]
			case "v1 PersistentVolumeClaim":
				m.pvcs = append(m.pvcs, corev1.PersistentVolumeClaim{})
				target = &m.pvcs[len(m.pvcs)-1]
			case "apps/v1 Deployment":
				m.deployments = append(m.deployments, appsv1.Deployment{})
				target = &m.deployments[len(m.deployments)-1]
			case "v1 Service":
				m.services = append(m.services, corev1.Service{})
				target = &m.services[len(m.services)-1]
			case "networking.k8s.io/v1 Ingress":
				m.ingresses = append(m.ingresses, networkingv1.Ingress{})
				target = &m.ingresses[len(m.ingresses)-1]
			default:
				t.Fatalf("%s: unexpected %s %s", where, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, target); err != nil {
				t.Fatalf("%s does not decode strictly into %s: %v", where, tm.Kind, err)
			}
		}
	}
	return m
}

func stripComments(doc []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func TestKubernetesManifests(t *testing.T) {
	m := loadManifests(t)
	if len(m.namespaces) != 1 || len(m.secrets) != 1 || len(m.configMaps) != 1 || len(m.pvcs) != 1 ||
		len(m.deployments) != 2 || len(m.services) != 1 || len(m.ingresses) != 1 {
		t.Fatalf("want one Namespace, Secret, ConfigMap, PVC, Service, Ingress and two Deployments; have %d %d %d %d %d %d %d",
			len(m.namespaces), len(m.secrets), len(m.configMaps), len(m.pvcs), len(m.services), len(m.ingresses), len(m.deployments))
	}
	ns := m.namespaces[0].Name
	cm, secret, pvc := m.configMaps[0], m.secrets[0], m.pvcs[0]

	objects := []metav1.ObjectMeta{cm.ObjectMeta, secret.ObjectMeta, pvc.ObjectMeta, m.services[0].ObjectMeta, m.ingresses[0].ObjectMeta}
	for _, d := range m.deployments {
		objects = append(objects, d.ObjectMeta)
	}
	for _, o := range objects {
		if o.Namespace != ns {
			t.Errorf("%s is in namespace %q, want %q", o.Name, o.Namespace, ns)
		}
		for _, msg := range validation.IsDNS1123Subdomain(o.Name) {
			t.Errorf("name %q: %s", o.Name, msg)
		}
		for k, v := range o.Labels {
			for _, msg := range append(validation.IsQualifiedName(k), validation.IsValidLabelValue(v)...) {
				t.Errorf("%s label %s=%s: %s", o.Name, k, v, msg)
			}
		}
	}

	if !slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteMany) {
		t.Errorf("the library PVC is not ReadWriteMany: %v", pvc.Spec.AccessModes)
	}
	if _, ok := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; !ok {
		t.Error("the library PVC requests no storage")
	}

	// Every DOWNLINK_* name the ConfigMap and Secret set is one the config reads.
	var names []string
	for k := range cm.Data {
		names = append(names, k)
	}
	for k := range secret.StringData {
		names = append(names, k)
	}
	for k := range secret.Data {
		names = append(names, k)
	}
	checkVarNames(t, "configmap/secret", names)
	for _, f := range m.files {
		checkVarNames(t, f+" (comments)", downlinkNames(string(readRepoFile(t, k8sDir+"/"+f))))
	}
	if secret.StringData["DOWNLINK_SECRET_KEY"] == "" || secret.StringData["DOWNLINK_DATABASE_URL"] == "" {
		t.Error("the Secret lacks DOWNLINK_SECRET_KEY or DOWNLINK_DATABASE_URL")
	}
	if _, inCM := cm.Data["DOWNLINK_SECRET_KEY"]; inCM {
		t.Error("the secret key is in the ConfigMap")
	}
	_, port, err := splitAddr(cm.Data["DOWNLINK_ADDR"])
	if err != nil {
		t.Fatalf("DOWNLINK_ADDR in the ConfigMap: %v", err)
	}

	roles := map[string]*appsv1.Deployment{}
	for i := range m.deployments {
		d := &m.deployments[i]
		t.Run(d.Name, func(t *testing.T) {
			role := checkDeployment(t, d, cm.Name, secret.Name, pvc.Name, port)
			roles[role] = d
		})
	}
	api, worker := roles["serve"], roles["worker"]
	if api == nil || worker == nil {
		t.Fatalf("want a serve and a worker Deployment, have %v", roles)
	}
	if v := envValue(api.Spec.Template.Spec.Containers[0], "DOWNLINK_WORKERS"); v != "0" {
		t.Errorf("the API Deployment downloads too: DOWNLINK_WORKERS=%q", v)
	}
	if !hasMigration(api.Spec.Template.Spec) {
		t.Error("the API Deployment has no `downlink migrate` init container")
	}

	// The Service reaches the API pods only; the Ingress reaches the Service.
	svc := m.services[0]
	sel := labels.SelectorFromSet(svc.Spec.Selector)
	if !sel.Matches(labels.Set(api.Spec.Template.Labels)) || sel.Matches(labels.Set(worker.Spec.Template.Labels)) {
		t.Errorf("service selector %v should match the API pods and not the workers", svc.Spec.Selector)
	}
	for _, sp := range svc.Spec.Ports {
		if sp.TargetPort.String() != "http" || !hasPort(api.Spec.Template.Spec.Containers[0], "http") {
			t.Errorf("service port %s targets %s", sp.Name, sp.TargetPort.String())
		}
	}
	for _, rule := range m.ingresses[0].Spec.Rules {
		for _, p := range rule.HTTP.Paths {
			b := p.Backend.Service
			if b == nil || b.Name != svc.Name || !serviceHasPort(svc, b.Port) {
				t.Errorf("ingress path %s points at %+v, not at service %s", p.Path, b, svc.Name)
			}
		}
	}

	// kustomization.yaml lists every manifest, and only those.
	var k struct {
		APIVersion string            `json:"apiVersion"`
		Kind       string            `json:"kind"`
		Namespace  string            `json:"namespace"`
		Resources  []string          `json:"resources"`
		Images     []map[string]any  `json:"images"`
		Labels     map[string]string `json:"labels,omitempty"`
	}
	if err := yaml.UnmarshalStrict(readRepoFile(t, k8sDir+"/kustomization.yaml"), &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	listed := slices.Clone(k.Resources)
	slices.Sort(listed)
	files := slices.Clone(m.files)
	slices.Sort(files)
	if !slices.Equal(listed, files) || k.Namespace != ns {
		t.Errorf("kustomization lists %v in %q; the folder has %v in %q", listed, k.Namespace, files, ns)
	}
}

// checkDeployment checks one Deployment's pod and returns its role.
func checkDeployment(t *testing.T, d *appsv1.Deployment, cm, secret, pvc string, port int) string {
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(d.Spec.Template.Labels)) {
		t.Errorf("selector %v does not select the pod template's labels %v", d.Spec.Selector, d.Spec.Template.Labels)
	}
	pod := d.Spec.Template.Spec
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("pod security context %+v: want non-root, a uid, RuntimeDefault seccomp", psc)
	}
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	for _, c := range append(slices.Clone(pod.InitContainers), pod.Containers...) {
		checkContainer(t, c, cm, secret)
	}
	c := pod.Containers[0]
	if len(c.Args) != 1 || (c.Args[0] != "serve" && c.Args[0] != "worker") {
		t.Fatalf("container args %v, want serve or worker", c.Args)
	}
	if !hasPort(c, "http") || c.Ports[0].ContainerPort != int32(port) {
		t.Errorf("container port %+v, want http on %d (DOWNLINK_ADDR)", c.Ports, port)
	}
	for name, pr := range map[string]struct {
		probe *corev1.Probe
		path  string
	}{"readiness": {c.ReadinessProbe, "/readyz"}, "liveness": {c.LivenessProbe, "/healthz"}} {
		if pr.probe == nil || pr.probe.HTTPGet == nil || pr.probe.HTTPGet.Path != pr.path ||
			(pr.probe.HTTPGet.Port.String() != "http" && pr.probe.HTTPGet.Port.IntValue() != port) {
			t.Errorf("%s probe %+v, want GET %s on the http port", name, pr.probe, pr.path)
		}
	}
	if v := envFieldRef(c, "DOWNLINK_NODE_NAME"); v != "metadata.name" {
		t.Errorf("DOWNLINK_NODE_NAME comes from %q, want the pod's name (each pod its own node)", v)
	}
	mounted := map[string]string{}
	for _, vm := range c.VolumeMounts {
		mounted[vm.MountPath] = vm.Name
	}
	claims := map[string]string{}
	for _, v := range pod.Volumes {
		if v.PersistentVolumeClaim != nil {
			claims[v.Name] = v.PersistentVolumeClaim.ClaimName
		}
	}
	if claims[mounted["/data/library"]] != pvc {
		t.Errorf("/data/library is %q, want the %s claim", mounted["/data/library"], pvc)
	}
	if mounted["/data"] == "" || mounted["/tmp"] == "" {
		t.Errorf("with a read-only root, /data and /tmp need volumes: %v", mounted)
	}
	return c.Args[0]
}

// checkContainer: resources, a locked-down security context, env from the
// ConfigMap and Secret, and only known variable names.
func checkContainer(t *testing.T, c corev1.Container, cm, secret string) {
	t.Helper()
	for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, okReq := c.Resources.Requests[r]
		lim, okLim := c.Resources.Limits[r]
		if !okReq || !okLim || req.Cmp(lim) > 0 {
			t.Errorf("%s: %s request %v / limit %v", c.Name, r, req.String(), lim.String())
		}
	}
	sc := c.SecurityContext
	if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
		sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
		t.Errorf("%s: security context %+v: want no privilege escalation, read-only root, all capabilities dropped", c.Name, sc)
	}
	var fromCM, fromSecret bool
	for _, ef := range c.EnvFrom {
		fromCM = fromCM || ef.ConfigMapRef != nil && ef.ConfigMapRef.Name == cm
		fromSecret = fromSecret || ef.SecretRef != nil && ef.SecretRef.Name == secret
	}
	if !fromCM || !fromSecret {
		t.Errorf("%s: env from ConfigMap %v, Secret %v", c.Name, fromCM, fromSecret)
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
		for _, msg := range validation.IsEnvVarName(e.Name) {
			t.Errorf("%s: env %s: %s", c.Name, e.Name, msg)
		}
	}
	checkVarNames(t, "container "+c.Name, names)
}

func hasMigration(pod corev1.PodSpec) bool {
	for _, c := range pod.InitContainers {
		if slices.Equal(c.Args, []string{"migrate"}) {
			return true
		}
	}
	return false
}

func hasPort(c corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func serviceHasPort(svc corev1.Service, p networkingv1.ServiceBackendPort) bool {
	for _, sp := range svc.Spec.Ports {
		if p.Name != "" && sp.Name == p.Name || p.Number != 0 && sp.Port == p.Number {
			return true
		}
	}
	return false
}

func envValue(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func envFieldRef(c corev1.Container, name string) string {
	for _, e := range c.Env {
		if e.Name == name && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			return e.ValueFrom.FieldRef.FieldPath
		}
	}
	return ""
}

func splitAddr(addr string) (string, int, error) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("%q has no port", addr)
	}
	p, err := strconv.Atoi(addr[i+1:])
	return addr[:i], p, err
}

// TestStrictDecodingBites: a misspelt field is refused, so the decoding
// above checks what it claims to.
func TestStrictDecodingBites(t *testing.T) {
	raw := string(readRepoFile(t, k8sDir+"/worker-deployment.yaml"))
	bad := strings.Replace(raw, "readinessProbe:", "readynessProbe:", 1)
	if bad == raw {
		t.Fatal("the edit did not apply")
	}
	var d appsv1.Deployment
	if err := yaml.UnmarshalStrict([]byte(bad), &d); err == nil || !strings.Contains(err.Error(), "readynessProbe") {
		t.Fatalf("a misspelt field decoded: %v", err)
	}
}
