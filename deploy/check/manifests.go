package check

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	k8sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// ErrUnknownKind is returned for a manifest whose apiVersion and kind have no
// Go type here: it cannot be checked.
var ErrUnknownKind = errors.New("no API type for this apiVersion and kind")

// ErrStrict is returned for a document with unknown or duplicate fields, or
// fields in the wrong case: what the API server's strict field validation
// refuses.
var ErrStrict = errors.New("strict decoding")

// Manifest is one decoded document: Object is a pointer to its API type
// (*appsv1.Deployment, *corev1.Service, *kedav1alpha1.ScaledObject, …).
type Manifest struct {
	File   string
	Kind   string
	Name   string
	Object any
}

// newObject returns a new value of the API type of apiVersion and kind.
func newObject(apiVersion, kind string) (any, error) {
	switch apiVersion + " " + kind {
	case "v1 Namespace":
		return &corev1.Namespace{}, nil
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}, nil
	case "v1 Secret":
		return &corev1.Secret{}, nil
	case "v1 Service":
		return &corev1.Service{}, nil
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}, nil
	case "apps/v1 StatefulSet":
		return &appsv1.StatefulSet{}, nil
	case "keda.sh/v1alpha1 ScaledObject":
		return &kedav1alpha1.ScaledObject{}, nil
	}
	return nil, fmt.Errorf("%s %s: %w", apiVersion, kind, ErrUnknownKind)
}

// DecodeStrict converts one YAML document to JSON (refusing duplicate keys)
// and decodes it into v as the API server does with strict field
// validation: case-sensitive, no unknown fields, no duplicate fields.
func DecodeStrict(doc []byte, v any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrStrict, err)
	}
	strict, err := k8sjson.UnmarshalStrict(js, v)
	if err != nil {
		return err
	}
	if len(strict) > 0 {
		return fmt.Errorf("%w: %w", ErrStrict, errors.Join(strict...))
	}
	return nil
}

// Documents splits a multi-document YAML stream, dropping empty documents.
func Documents(r io.Reader) ([][]byte, error) {
	yr := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var docs [][]byte
	for {
		doc, err := yr.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		var probe map[string]any
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			return nil, err
		}
		if len(probe) > 0 {
			docs = append(docs, bytes.TrimSpace(doc))
		}
	}
}

// DecodeManifests decodes every document of a manifest file strictly into
// its API type.
func DecodeManifests(file string) ([]Manifest, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	docs, err := Documents(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	var out []Manifest
	for i, doc := range docs {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", file, i+1, err)
		}
		obj, err := newObject(head.APIVersion, head.Kind)
		if err != nil {
			return nil, fmt.Errorf("%s document %d: %w", file, i+1, err)
		}
		if err := DecodeStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("%s document %d (%s %s): %w", file, i+1, head.Kind, head.Metadata.Name, err)
		}
		out = append(out, Manifest{File: file, Kind: head.Kind, Name: head.Metadata.Name, Object: obj})
	}
	return out, nil
}

// Kustomization is the part of kustomize's Kustomization (and Component)
// that deploy/k8s uses, field for field as kustomize names them; decoding it
// strictly refuses any other field, so nothing in it goes unchecked.
type Kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Components []string `json:"components,omitempty"`
	Labels     []struct {
		Pairs            map[string]string `json:"pairs"`
		IncludeSelectors bool              `json:"includeSelectors,omitempty"`
	} `json:"labels,omitempty"`
	Patches []struct {
		Path   string `json:"path"`
		Target struct {
			Kind          string `json:"kind,omitempty"`
			Name          string `json:"name,omitempty"`
			LabelSelector string `json:"labelSelector,omitempty"`
		} `json:"target"`
	} `json:"patches,omitempty"`
	Images []KustomizeImage `json:"images,omitempty"`
}

// KustomizeImage is an entry of a kustomization's images: the image Name
// the manifests give becomes NewName (if set) at NewTag.
type KustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
}

// LoadKustomization decodes dir/kustomization.yaml strictly.
func LoadKustomization(dir string) (*Kustomization, error) {
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	var k Kustomization
	if err := DecodeStrict(b, &k); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "kustomization.yaml"), err)
	}
	return &k, nil
}

// PatchOp is one operation of a JSON 6902 patch; Value is decoded strictly
// by the caller into the type its path adds.
type PatchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}
