package check_test

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/warta-news/warta/deploy/check"
	"github.com/warta-news/warta/pkg/events"
)

var k8sDir = filepath.Join(root, "deploy", "k8s")

// k8sSet is deploy/k8s decoded: the kustomization and every resource it
// and its components list.
type k8sSet struct {
	kust      *check.Kustomization
	manifests []check.Manifest
	files     []string // every file the kustomizations reach
}

func loadK8s(t *testing.T) *k8sSet {
	t.Helper()
	set := &k8sSet{}
	var load func(dir string) *check.Kustomization
	load = func(dir string) *check.Kustomization {
		k, err := check.LoadKustomization(dir)
		if err != nil {
			t.Fatal(err)
		}
		set.files = append(set.files, filepath.Join(dir, "kustomization.yaml"))
		for _, r := range k.Resources {
			ms, err := check.DecodeManifests(filepath.Join(dir, r))
			if err != nil {
				t.Fatal(err)
			}
			set.manifests = append(set.manifests, ms...)
			set.files = append(set.files, filepath.Join(dir, r))
		}
		for _, p := range k.Patches {
			file := filepath.Join(dir, p.Path)
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ops []check.PatchOp
			if err := check.DecodeStrict(b, &ops); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			set.files = append(set.files, file)
		}
		for _, c := range k.Components {
			ck := load(filepath.Join(dir, c))
			if ck.Kind != "Component" {
				t.Errorf("component %s is a %s", c, ck.Kind)
			}
		}
		return k
	}
	set.kust = load(k8sDir)
	return set
}

func find[T any](t *testing.T, set *k8sSet, name string) *T {
	t.Helper()
	for _, m := range set.manifests {
		if o, ok := m.Object.(*T); ok && m.Name == name {
			return o
		}
	}
	var zero T
	t.Fatalf("no %T named %s", zero, name)
	return nil
}

// workload is a service's pod template, from its Deployment or StatefulSet.
func workload(t *testing.T, set *k8sSet, svc string) *corev1.PodTemplateSpec {
	t.Helper()
	if svc == "index" {
		return &find[appsv1.StatefulSet](t, set, svc).Spec.Template
	}
	return &find[appsv1.Deployment](t, set, svc).Spec.Template
}

// k8sEnv returns the environment of a service's container: the ConfigMaps
// of its envFrom, then its env (literal values, or keys of a Secret, which
// secret resolves).
func k8sEnv(t *testing.T, set *k8sSet, c *corev1.Container, secret secretFunc) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef == nil {
			t.Fatalf("%s: envFrom other than a ConfigMap", c.Name)
		}
		for k, v := range find[corev1.ConfigMap](t, set, from.ConfigMapRef.Name).Data {
			env[from.Prefix+k] = v
		}
	}
	for _, e := range c.Env {
		env[e.Name] = resolveEnv(t, c.Name, e, secret)
	}
	return env
}

// probeEnv returns the address variable whose port a probe's port is.
func probeEnv(t *testing.T, c *corev1.Container, env map[string]string, port intstr.IntOrString) string {
	t.Helper()
	num := port.IntValue()
	if port.Type == intstr.String {
		num = 0
		for _, p := range c.Ports {
			if p.Name == port.StrVal {
				num = int(p.ContainerPort)
			}
		}
	}
	for _, name := range []string{"HTTP_ADDR", "METRICS_ADDR"} {
		if _, p, err := net.SplitHostPort(env[name]); err == nil && p == strconv.Itoa(num) && num != 0 {
			return name
		}
	}
	t.Errorf("%s: probe port %s is no port the service listens on (HTTP_ADDR %q, METRICS_ADDR %q)", c.Name, port.String(), env["HTTP_ADDR"], env["METRICS_ADDR"])
	return ""
}

// TestK8sManifests decodes every manifest strictly into the API types and
// checks workloads, probes, resources, security, env names and the KEDA
// trigger.
func TestK8sManifests(t *testing.T) {
	set := loadK8s(t)
	// Every YAML file is reached (and so checked), but the Helm values.
	err := filepath.WalkDir(k8sDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || d.Name() == "nats-values.yaml" {
			return err
		}
		if !slices.Contains(set.files, p) {
			t.Errorf("%s is in no kustomization: it would be neither applied nor checked", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	cm := find[corev1.ConfigMap](t, set, "warta-config")
	for k, want := range map[string]string{"NATS_URL": "nats://nats:4222", "STREAM_REPLICAS": "3", "LOG_FORMAT": "json"} {
		if cm.Data[k] != want {
			t.Errorf("ConfigMap %s=%q, want %q", k, cm.Data[k], want)
		}
	}

	for _, svc := range services {
		t.Run(svc, func(t *testing.T) {
			tpl := workload(t, set, svc)
			pod := tpl.Spec
			if sc := pod.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
				t.Errorf("pod securityContext %+v: want runAsNonRoot, runAsUser 65532", sc)
			}
			if len(pod.Containers) != 1 {
				t.Fatalf("%d containers, want 1", len(pod.Containers))
			}
			c := &pod.Containers[0]
			name, _, _ := strings.Cut(c.Image, ":")
			if name != "warta/"+svc || !slices.ContainsFunc(set.kust.Images, func(i check.KustomizeImage) bool {
				return i.Name == name
			}) {
				t.Errorf("image %s: want warta/%s, listed in the kustomization's images", c.Image, svc)
			}
			if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
				sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
				t.Errorf("container securityContext %+v: want a read-only root, no privilege escalation, all capabilities dropped", sc)
			}
			for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				req, lim := c.Resources.Requests[res], c.Resources.Limits[res]
				if req.IsZero() || lim.IsZero() || req.Cmp(lim) > 0 {
					t.Errorf("%s: request %s, limit %s: want both, request ≤ limit", res, req.String(), lim.String())
				}
			}
			env := k8sEnv(t, set, c, anySecret)
			checkEnvNames(t, "deploy/k8s", svc, env)
			// Its own NATS user, its password from the Secret the NATS
			// chart's values take the servers' from.
			if env["NATS_USER"] != svc || env["NATS_PASSWORD"] != anySecretValue(usersSecret, svc) {
				t.Errorf("NATS_USER %q, NATS_PASSWORD %q: want user %s with key %s of Secret %s", env["NATS_USER"], env["NATS_PASSWORD"], svc, svc, usersSecret)
			}
			for _, name := range []string{"NATS_CREDS", "NATS_NKEY", "NATS_TOKEN"} {
				if _, ok := env[name]; ok {
					t.Errorf("%s set besides NATS_USER and NATS_PASSWORD", name)
				}
			}
			if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
				t.Errorf("liveness probe %+v: want GET /healthz", c.LivenessProbe)
			} else {
				probeEnv(t, c, env, c.LivenessProbe.HTTPGet.Port)
			}
			if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
				t.Errorf("readiness probe %+v: want GET /readyz", c.ReadinessProbe)
			} else {
				probeEnv(t, c, env, c.ReadinessProbe.HTTPGet.Port)
			}
		})
	}

	enrich := workload(t, set, "enrich").Spec.Containers[0]
	if cpu := enrich.Resources.Requests[corev1.ResourceCPU]; cpu.MilliValue() != 1000 {
		t.Errorf("enrich requests %s CPU: tagging is CPU-bound, one core per enricher", cpu.String())
	}
	if find[appsv1.Deployment](t, set, "enrich").Spec.Replicas != nil {
		t.Error("enrich sets replicas: kubectl apply would reset what KEDA scaled it to")
	}

	// The index: one replica, its volume holding INDEX_DIR, its services.
	sts := find[appsv1.StatefulSet](t, set, "index")
	ic := &sts.Spec.Template.Spec.Containers[0]
	ienv := k8sEnv(t, set, ic, anySecret)
	if sts.Spec.Replicas == nil || *sts.Spec.Replicas != 1 {
		t.Error("index: one writer per index folder, want replicas: 1")
	}
	if len(sts.Spec.VolumeClaimTemplates) != 1 {
		t.Fatal("index: want one volumeClaimTemplate")
	}
	claim := sts.Spec.VolumeClaimTemplates[0].Name
	if !slices.ContainsFunc(ic.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.Name == claim && strings.HasPrefix(ienv["INDEX_DIR"], m.MountPath+"/")
	}) {
		t.Errorf("index: INDEX_DIR %q is not on the volume %s (mounts %+v)", ienv["INDEX_DIR"], claim, ic.VolumeMounts)
	}
	if h, _, _ := net.SplitHostPort(ienv["HTTP_ADDR"]); h != "0.0.0.0" && h != "" {
		t.Errorf("index: HTTP_ADDR %q is not reachable from other pods", ienv["HTTP_ADDR"])
	}
	headless := find[corev1.Service](t, set, sts.Spec.ServiceName)
	if headless.Spec.ClusterIP != corev1.ClusterIPNone {
		t.Errorf("StatefulSet's service %s is not headless", headless.Name)
	}
	api := find[corev1.Service](t, set, "index")
	for _, s := range []*corev1.Service{api, headless} {
		for k, v := range s.Spec.Selector {
			if sts.Spec.Template.Labels[k] != v {
				t.Errorf("service %s selects %s=%s, which the index pods do not carry", s.Name, k, v)
			}
		}
		for _, p := range s.Spec.Ports {
			if !slices.ContainsFunc(ic.Ports, func(cp corev1.ContainerPort) bool { return cp.Name == p.TargetPort.StrVal }) {
				t.Errorf("service %s targets port %s, which the index container does not name", s.Name, p.TargetPort.String())
			}
		}
	}

	// KEDA scales enrich on its consumer's lag.
	so := find[kedav1alpha1.ScaledObject](t, set, "enrich")
	if so.Spec.ScaleTargetRef == nil || so.Spec.ScaleTargetRef.Name != "enrich" || (so.Spec.ScaleTargetRef.Kind != "" && so.Spec.ScaleTargetRef.Kind != "Deployment") {
		t.Errorf("ScaledObject targets %+v, want the enrich Deployment", so.Spec.ScaleTargetRef)
	}
	if so.Spec.MinReplicaCount == nil || so.Spec.MaxReplicaCount == nil || *so.Spec.MinReplicaCount < 1 || *so.Spec.MaxReplicaCount <= *so.Spec.MinReplicaCount {
		t.Errorf("ScaledObject replicas %v..%v", so.Spec.MinReplicaCount, so.Spec.MaxReplicaCount)
	}
	if len(so.Spec.Triggers) != 1 || so.Spec.Triggers[0].Type != "nats-jetstream" {
		t.Fatalf("ScaledObject triggers %+v, want one nats-jetstream", so.Spec.Triggers)
	}
	md := so.Spec.Triggers[0].Metadata
	if md["stream"] != events.StreamParagraphs || md["consumer"] != events.ConsumerEnrich || md["account"] != "$G" {
		t.Errorf("trigger on stream %q consumer %q account %q, want %s, %s, $G", md["stream"], md["consumer"], md["account"], events.StreamParagraphs, events.ConsumerEnrich)
	}
	if n, err := strconv.Atoi(md["lagThreshold"]); err != nil || n < 1 {
		t.Errorf("lagThreshold %q", md["lagThreshold"])
	}
	values := natsValues(t)
	wantEndpoint := "nats-headless." + set.kust.Namespace + ".svc.cluster.local:" + strconv.Itoa(values.Config.Monitor.Port)
	if md["natsServerMonitoringEndpoint"] != wantEndpoint {
		t.Errorf("natsServerMonitoringEndpoint %q, want the chart's headless service %s", md["natsServerMonitoringEndpoint"], wantEndpoint)
	}

	// No password is shipped: the Secret is made where warta is installed.
	for _, m := range set.manifests {
		if m.Kind == "Secret" {
			t.Errorf("%s: Secret %s: deploy/k8s ships no credentials (deploy/README.md says how to make them)", m.File, m.Name)
		}
	}
}

// anySecret resolves any key of any Secret to anySecretValue(name, key),
// which says where it came from.
func anySecret(name, key string) (string, bool) { return anySecretValue(name, key), true }

func anySecretValue(name, key string) string { return "key " + key + " of Secret " + name }

// helmValues is the part of the NATS chart's values that warta relies on.
type helmValues struct {
	Config struct {
		Cluster struct {
			Enabled  bool `json:"enabled"`
			Replicas int  `json:"replicas"`
		} `json:"cluster"`
		JetStream struct {
			Enabled   bool `json:"enabled"`
			FileStore struct {
				Enabled bool `json:"enabled"`
				PVC     struct {
					Enabled bool   `json:"enabled"`
					Size    string `json:"size"`
				} `json:"pvc"`
			} `json:"fileStore"`
		} `json:"jetstream"`
		Monitor struct {
			Enabled bool `json:"enabled"`
			Port    int  `json:"port"`
		} `json:"monitor"`
	} `json:"config"`
}

func natsValues(t *testing.T) helmValues {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(k8sDir, "nats-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v helmValues
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	c := v.Config
	if !c.Cluster.Enabled || c.Cluster.Replicas != 3 || !c.JetStream.Enabled || !c.JetStream.FileStore.Enabled ||
		!c.JetStream.FileStore.PVC.Enabled || c.JetStream.FileStore.PVC.Size == "" || !c.Monitor.Enabled || c.Monitor.Port == 0 {
		t.Errorf("nats-values.yaml: %+v: want a 3-node cluster, JetStream on a file store PVC, monitoring on", c)
	}
	return v
}

// TestDecodeStrictRefuses makes sure the manifest check can fail: unknown,
// duplicate and wrongly cased fields, and kinds without a type.
func TestDecodeStrictRefuses(t *testing.T) {
	const head = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n"
	for name, doc := range map[string]string{
		"unknown field":   head + "  replica: 2\n",
		"wrong case":      head + "  Replicas: 2\n",
		"duplicate field": head + "  replicas: 2\n  replicas: 3\n",
		"wrong type":      head + "  replicas: two\n",
	} {
		var d appsv1.Deployment
		if err := check.DecodeStrict([]byte(doc), &d); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	var so kedav1alpha1.ScaledObject
	if err := check.DecodeStrict([]byte("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec:\n  minReplicas: 1\n"), &so); !errors.Is(err, check.ErrStrict) {
		t.Errorf("ScaledObject with minReplicas: %v, want a strict error", err)
	}
	file := filepath.Join(t.TempDir(), "x.yaml")
	if err := os.WriteFile(file, []byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check.DecodeManifests(file); !errors.Is(err, check.ErrUnknownKind) {
		t.Errorf("Pod: %v, want ErrUnknownKind", err)
	}
}
