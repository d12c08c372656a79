package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestStatePersistsAcrossRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	const mi = "mi-0a1b2c3d4e5f60004"
	ctx := context.Background()

	s1, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	_, err = ssmClient(s1).AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance,
		ResourceId: aws.String(mi), Tags: []types.Tag{{Key: aws.String("Owner"), Value: aws.String("ops")}}})
	if err != nil {
		t.Fatal(err)
	}
	// Saved after the change, before Close.
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"Owner": "ops"`) {
		t.Errorf("state after AddTagsToResource: %v %s", err, b)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("state file mode %o, want 600", mode)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// The state wins over fleet options on restart.
	s2 := Start(t, Options{StatePath: path, Nodes: 5})
	out, err := ssmClient(s2).ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(mi)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, tg := range out.TagList {
		if aws.ToString(tg.Key) == "Owner" && aws.ToString(tg.Value) == "ops" {
			found = true
		}
	}
	if !found {
		t.Errorf("tag lost across restart: %v", out.TagList)
	}
}

func TestCorruptState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"garbage.json":  "{not json",
		"version.json":  `{"version": 99, "nodes": []}`,
		"badnodes.json": `{"version": 1, "nodes": [{"id": "bogus"}]}`,
	} {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(content), 0o600)
		s, err := New(Options{StatePath: path})
		if err == nil {
			s.Close()
			t.Errorf("%s: New succeeded", name)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
}
