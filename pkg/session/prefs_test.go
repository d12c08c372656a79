package session

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// fakeDocuments keeps versions of one document, as SSM does.
type fakeDocuments struct {
	versions []string // content per version, from 1
	def      int      // default version, 1-based; 0 = no document
	calls    []string
}

func (f *fakeDocuments) GetDocument(_ context.Context, in *ssm.GetDocumentInput, _ ...func(*ssm.Options)) (*ssm.GetDocumentOutput, error) {
	f.calls = append(f.calls, "GetDocument")
	if aws.ToString(in.Name) != PreferencesDocument || f.def == 0 {
		return nil, &types.InvalidDocument{Message: aws.String("The specified document does not exist.")}
	}
	v := f.def
	if aws.ToString(in.DocumentVersion) == "$LATEST" {
		v = len(f.versions)
	}
	return &ssm.GetDocumentOutput{Content: aws.String(f.versions[v-1]), DocumentVersion: aws.String(strconv.Itoa(v))}, nil
}

func (f *fakeDocuments) CreateDocument(_ context.Context, in *ssm.CreateDocumentInput, _ ...func(*ssm.Options)) (*ssm.CreateDocumentOutput, error) {
	f.calls = append(f.calls, "CreateDocument")
	if in.DocumentType != types.DocumentTypeSession || in.DocumentFormat != types.DocumentFormatJson {
		return nil, &smithy.GenericAPIError{Code: "InvalidDocumentContent", Message: "want a JSON Session document"}
	}
	f.versions = []string{aws.ToString(in.Content)}
	f.def = 1
	return &ssm.CreateDocumentOutput{DocumentDescription: &types.DocumentDescription{DocumentVersion: aws.String("1")}}, nil
}

func (f *fakeDocuments) UpdateDocument(_ context.Context, in *ssm.UpdateDocumentInput, _ ...func(*ssm.Options)) (*ssm.UpdateDocumentOutput, error) {
	f.calls = append(f.calls, "UpdateDocument")
	if aws.ToString(in.DocumentVersion) != "$LATEST" {
		return nil, &smithy.GenericAPIError{Code: "InvalidDocumentVersion"}
	}
	if f.versions[len(f.versions)-1] == aws.ToString(in.Content) {
		return nil, &smithy.GenericAPIError{Code: "DuplicateDocumentContent"}
	}
	f.versions = append(f.versions, aws.ToString(in.Content))
	v := strconv.Itoa(len(f.versions))
	return &ssm.UpdateDocumentOutput{DocumentDescription: &types.DocumentDescription{DocumentVersion: aws.String(v)}}, nil
}

func (f *fakeDocuments) UpdateDocumentDefaultVersion(_ context.Context, in *ssm.UpdateDocumentDefaultVersionInput, _ ...func(*ssm.Options)) (*ssm.UpdateDocumentDefaultVersionOutput, error) {
	f.calls = append(f.calls, "UpdateDocumentDefaultVersion")
	n, err := strconv.Atoi(aws.ToString(in.DocumentVersion))
	if err != nil || n < 1 || n > len(f.versions) {
		return nil, &smithy.GenericAPIError{Code: "InvalidDocumentVersion"}
	}
	f.def = n
	return &ssm.UpdateDocumentDefaultVersionOutput{}, nil
}

func ptr[T any](v T) *T { return &v }

func TestGetPreferencesWithoutDocument(t *testing.T) {
	p, err := GetPreferences(context.Background(), &fakeDocuments{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Exists || p.IdleTimeout != 20 || p.MaxDuration != 0 || p.RunAsEnabled {
		t.Fatalf("defaults: %+v", p)
	}
}

func TestSetPreferencesCreatesThenUpdates(t *testing.T) {
	ctx := context.Background()
	f := &fakeDocuments{}
	p, changed, err := SetPreferences(ctx, f, PreferencesChange{IdleTimeout: ptr(15), MaxDuration: ptr(120)})
	if err != nil || !changed {
		t.Fatalf("create: %v changed=%v", err, changed)
	}
	if p.Version != "1" || p.IdleTimeout != 15 || p.MaxDuration != 120 {
		t.Fatalf("after create: %+v", p)
	}
	var doc struct {
		SessionType string
		Inputs      map[string]any
	}
	if err := json.Unmarshal([]byte(f.versions[0]), &doc); err != nil {
		t.Fatal(err)
	}
	// Session Manager writes the durations as strings of minutes.
	if doc.SessionType != "Standard_Stream" || doc.Inputs["idleSessionTimeout"] != "15" || doc.Inputs["maxSessionDuration"] != "120" {
		t.Fatalf("created document: %s", f.versions[0])
	}

	f.calls = nil
	p, changed, err = SetPreferences(ctx, f, PreferencesChange{RunAsEnabled: ptr(true), RunAsDefaultUser: ptr("ops"), ShellProfileLinux: ptr("exec bash")})
	if err != nil || !changed {
		t.Fatalf("update: %v changed=%v", err, changed)
	}
	if got := strings.Join(f.calls, ","); got != "GetDocument,UpdateDocument,UpdateDocumentDefaultVersion" {
		t.Fatalf("calls %s", got)
	}
	if f.def != 2 || p.Version != "2" || !p.RunAsEnabled || p.RunAsDefaultUser != "ops" || p.IdleTimeout != 15 || p.ShellProfileLinux != "exec bash" {
		t.Fatalf("after update: def=%d %+v", f.def, p)
	}

	// The same again writes nothing.
	f.calls = nil
	_, changed, err = SetPreferences(ctx, f, PreferencesChange{RunAsEnabled: ptr(true)})
	if err != nil || changed || strings.Join(f.calls, ",") != "GetDocument" {
		t.Fatalf("no-op: %v changed=%v calls=%v", err, changed, f.calls)
	}

	// 0 clears the duration limit.
	p, _, err = SetPreferences(ctx, f, PreferencesChange{MaxDuration: ptr(0)})
	if err != nil || p.MaxDuration != 0 {
		t.Fatalf("clear: %v %+v", err, p)
	}
}

func TestSetPreferencesKeepsUnknownInputs(t *testing.T) {
	f := &fakeDocuments{def: 1, versions: []string{`{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"idleSessionTimeout":"30","futureSetting":"x","shellProfile":{"linux":"cd /tmp","windows":"dir"}}}`}}
	if _, _, err := SetPreferences(context.Background(), f, PreferencesChange{ShellProfileWindows: ptr("")}); err != nil {
		t.Fatal(err)
	}
	got := f.versions[len(f.versions)-1]
	for _, want := range []string{`"futureSetting": "x"`, `"idleSessionTimeout": "30"`, `"linux": "cd /tmp"`, `"windows": ""`} {
		if !strings.Contains(got, want) {
			t.Errorf("new version lacks %s:\n%s", want, got)
		}
	}
}

func TestSetPreferencesLatestAlreadyHoldsChange(t *testing.T) {
	// Version 2 says 45 minutes but version 1 is the default.
	v1 := `{"schemaVersion":"1.0","sessionType":"Standard_Stream","inputs":{"idleSessionTimeout":"20"}}`
	f := &fakeDocuments{def: 1, versions: []string{v1}}
	p1, _ := GetPreferences(context.Background(), f)
	v2, err := p1.apply(PreferencesChange{IdleTimeout: ptr(45)})
	if err != nil {
		t.Fatal(err)
	}
	f.versions = append(f.versions, v2)
	p, changed, err := SetPreferences(context.Background(), f, PreferencesChange{IdleTimeout: ptr(45)})
	if err != nil || !changed || f.def != 2 || p.Version != "2" {
		t.Fatalf("err=%v changed=%v def=%d %+v", err, changed, f.def, p)
	}
}

func TestPreferencesValidate(t *testing.T) {
	tests := []struct {
		name string
		c    PreferencesChange
		bad  string
	}{
		{"idle ok", PreferencesChange{IdleTimeout: ptr(60)}, ""},
		{"idle zero", PreferencesChange{IdleTimeout: ptr(0)}, "idle timeout 0"},
		{"idle 61", PreferencesChange{IdleTimeout: ptr(61)}, "want 1 to 60"},
		{"duration ok", PreferencesChange{MaxDuration: ptr(1440)}, ""},
		{"duration 1441", PreferencesChange{MaxDuration: ptr(1441)}, "want 1 to 1440"},
		{"duration negative", PreferencesChange{MaxDuration: ptr(-1)}, "maximum session duration"},
		{"bucket ok", PreferencesChange{S3Bucket: ptr("my-logs.example")}, ""},
		{"bucket upper", PreferencesChange{S3Bucket: ptr("MyLogs")}, "S3 bucket"},
		{"bucket ip", PreferencesChange{S3Bucket: ptr("192.168.1.1")}, "S3 bucket"},
		{"bucket dots", PreferencesChange{S3Bucket: ptr("a..b")}, "S3 bucket"},
		{"bucket clear", PreferencesChange{S3Bucket: ptr("")}, ""},
		{"log group ok", PreferencesChange{LogGroup: ptr("/ssm/sessions#1")}, ""},
		{"log group bad", PreferencesChange{LogGroup: ptr("has space")}, "log group"},
		{"kms alias", PreferencesChange{KMSKeyID: ptr("alias/sessions")}, ""},
		{"kms id", PreferencesChange{KMSKeyID: ptr("1234abcd-12ab-34cd-56ef-1234567890ab")}, ""},
		{"kms arn", PreferencesChange{KMSKeyID: ptr("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")}, ""},
		{"kms bad", PreferencesChange{KMSKeyID: ptr("my key")}, "KMS key"},
		{"user ok", PreferencesChange{RunAsDefaultUser: ptr("ec2-user")}, ""},
		{"user bad", PreferencesChange{RunAsDefaultUser: ptr("root;rm")}, "run-as user"},
		{"user long", PreferencesChange{RunAsDefaultUser: ptr(strings.Repeat("a", 40))}, ""},
		{"user directory", PreferencesChange{RunAsDefaultUser: ptr("alice@corp.example.com")}, ""},
		{"user space", PreferencesChange{RunAsDefaultUser: ptr("alice smith")}, "run-as user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Validate()
			if tt.bad == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.bad) {
				t.Fatalf("got %v, want %q", err, tt.bad)
			}
		})
	}
	// Nothing is read or written when the change is invalid.
	f := &fakeDocuments{}
	if _, _, err := SetPreferences(context.Background(), f, PreferencesChange{IdleTimeout: ptr(0)}); err == nil || len(f.calls) != 0 {
		t.Fatalf("err=%v calls=%v", err, f.calls)
	}
}
