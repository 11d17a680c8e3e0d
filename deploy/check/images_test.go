package check_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/warta-news/warta/deploy/check"
)

// makeImages runs "make args..." in the repository root with docker
// replaced by echo, and returns the docker commands it would have run.
func makeImages(t *testing.T, args ...string) ([]string, error) {
	t.Helper()
	cmd := exec.Command("make", append([]string{"-s", "--no-print-directory", "DOCKER=echo docker"}, args...)...)
	cmd.Dir = root
	// Not the flags of a "make test" this runs under.
	cmd.Env = append(os.Environ(), "MAKEFLAGS=", "MAKELEVEL=")
	out, err := cmd.CombinedOutput()
	var docker []string
	for l := range strings.Lines(string(out)) {
		if strings.HasPrefix(l, "docker ") {
			docker = append(docker, strings.TrimSpace(l))
		}
	}
	if err != nil {
		return docker, fmt.Errorf("make %v: %v\n%s", args, err, out)
	}
	return docker, nil
}

// TestMakePush: "make push REGISTRY=… TAG=…" builds each service's image
// from its Dockerfile, stamped with VERSION, and pushes it under the
// registry and tag given; without REGISTRY it refuses, naming it.
func TestMakePush(t *testing.T) {
	got, err := makeImages(t, "push", "REGISTRY=registry.example.com/acme", "TAG=1.4.0", "VERSION=v1.4.0")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, svc := range services {
		ref := "registry.example.com/acme/" + svc + ":1.4.0"
		want = append(want, "docker build -f deploy/docker/"+svc+".Dockerfile --build-arg VERSION=v1.4.0 -t "+ref+" .",
			"docker push "+ref)
	}
	if !slices.Equal(got, want) {
		t.Errorf("make push ran\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	got, err = makeImages(t, "push", "TAG=1.4.0")
	if err == nil || !strings.Contains(err.Error(), "set REGISTRY") || len(got) > 0 {
		t.Errorf("make push without REGISTRY: ran %q, %v; want a refusal naming REGISTRY before any build", got, err)
	}
}

// TestMakeImagesAreTheDeployed: by default "make images" tags the images
// compose.yaml and deploy/k8s run.
func TestMakeImagesAreTheDeployed(t *testing.T) {
	got, err := makeImages(t, "images")
	if err != nil {
		t.Fatal(err)
	}
	p := loadCompose(t, passwordEnv(testPasswords(t)))
	kust, err := check.LoadKustomization(k8sDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range services {
		compose := p.Services[svc].Image
		if !slices.ContainsFunc(got, func(c string) bool { return strings.Contains(c, " -t "+compose+" ") }) {
			t.Errorf("make images does not build %s, the image compose runs: it ran\n%s", compose, strings.Join(got, "\n"))
		}
		i := slices.IndexFunc(kust.Images, func(i check.KustomizeImage) bool { return i.Name == "warta/"+svc })
		if i < 0 || kust.Images[i].NewName != "" || kust.Images[i].Name+":"+kust.Images[i].NewTag != compose {
			t.Errorf("deploy/k8s runs %+v for %s, want %s, what make images builds", kust.Images, svc, compose)
		}
	}
}

// TestKEDAInstalledFirst: every README's Kubernetes commands install KEDA,
// whose ScaledObject deploy/k8s holds, before applying deploy/k8s
// (without it, "kubectl apply -k" fails on the ScaledObject).
func TestKEDAInstalledFirst(t *testing.T) {
	for _, readme := range []string{topReadme, filepath.Join(root, "deploy", "README.md")} {
		f, err := os.Open(readme)
		if err != nil {
			t.Fatal(err)
		}
		var repo, install, apply int
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			command, _, _ := strings.Cut(sc.Text(), " #")
			switch l := strings.Join(strings.Fields(command), " "); {
			case l == "helm repo add kedacore https://kedacore.github.io/charts":
				repo = n
			case strings.HasPrefix(l, "helm install keda kedacore/keda ") && strings.Contains(l, "--create-namespace") &&
				(strings.Contains(l, "--namespace keda") || strings.Contains(l, "-n keda")):
				install = n
			case l == "kubectl apply -k deploy/k8s" && apply == 0:
				apply = n
			}
		}
		f.Close()
		if apply == 0 || repo == 0 || install == 0 || !(repo < install && install < apply) {
			t.Errorf("%s: helm repo add kedacore on line %d, helm install keda on line %d, kubectl apply -k deploy/k8s on line %d: "+
				"want KEDA's repository added and KEDA installed before deploy/k8s is applied", readme, repo, install, apply)
		}
	}
}
