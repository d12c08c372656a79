package sandbox

import (
	"strings"
	"testing"
)

// Parameter Store through the AWS CLI: a client nobody here wrote reads
// and writes what the SDK does.
func TestAWSCLIParameters(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})

	var put struct {
		Version int
		Tier    string
	}
	awsCLI(t, s, &put, "ssm", "put-parameter", "--name", "/cli/app/db/password", "--type", "SecureString", "--value", "p@ss word=1")
	if put.Version != 1 || put.Tier != "Standard" {
		t.Errorf("put-parameter: %+v", put)
	}
	awsCLI(t, s, &put, "ssm", "put-parameter", "--name", "/cli/app/db/password", "--value", "second", "--overwrite")
	if put.Version != 2 {
		t.Errorf("put-parameter --overwrite: %+v", put)
	}
	awsCLI(t, s, &put, "ssm", "put-parameter", "--name", "/cli/app/host", "--type", "String", "--value", "h.example", "--tags", "Key=team,Value=ops")
	awsCLI(t, s, &put, "ssm", "put-parameter", "--name", "/cli/app/list", "--type", "StringList", "--value", "a,b", "--tier", "Intelligent-Tiering")
	if put.Tier != "Standard" {
		t.Errorf("Intelligent-Tiering, small value: %+v", put)
	}

	type param struct {
		Name, Type, Value, ARN, DataType, Selector string
		Version                                    int
		LastModifiedDate                           any
	}
	var got struct{ Parameter param }
	awsCLI(t, s, &got, "ssm", "get-parameter", "--name", "/cli/app/db/password")
	if got.Parameter.Value == "second" || got.Parameter.Type != "SecureString" || got.Parameter.Version != 2 {
		t.Errorf("get-parameter without decryption: %+v", got.Parameter)
	}
	awsCLI(t, s, &got, "ssm", "get-parameter", "--name", "/cli/app/db/password:1", "--with-decryption")
	p := got.Parameter
	if p.Value != "p@ss word=1" || p.Selector != ":1" || p.ARN != "arn:aws:ssm:us-east-1:123456789012:parameter/cli/app/db/password" || p.DataType != "text" {
		t.Errorf("get-parameter --with-decryption: %+v", p)
	}
	switch p.LastModifiedDate.(type) {
	case float64, string:
	default:
		t.Errorf("LastModifiedDate %v", p.LastModifiedDate)
	}

	// The CLI follows NextToken itself, short pages included.
	var byPath struct{ Parameters []param }
	awsCLI(t, s, &byPath, "ssm", "get-parameters-by-path", "--path", "/cli", "--recursive", "--with-decryption", "--page-size", "1")
	var names []string
	for _, p := range byPath.Parameters {
		names = append(names, p.Name+"="+p.Value)
	}
	if strings.Join(names, " ") != "/cli/app/db/password=second /cli/app/host=h.example /cli/app/list=a,b" {
		t.Errorf("get-parameters-by-path --recursive: %v", names)
	}

	var described struct {
		Parameters []struct {
			Name, Type, KeyId, Tier, LastModifiedUser string
			Version                                   int
		}
	}
	awsCLI(t, s, &described, "ssm", "describe-parameters", "--parameter-filters", "Key=Path,Option=Recursive,Values=/cli", "Key=Type,Values=SecureString")
	if len(described.Parameters) != 1 || described.Parameters[0].KeyId != "alias/aws/ssm" || described.Parameters[0].Version != 2 {
		t.Errorf("describe-parameters: %+v", described)
	}
	awsCLI(t, s, &described, "ssm", "describe-parameters", "--parameter-filters", "Key=tag:team,Values=ops")
	if len(described.Parameters) != 1 || described.Parameters[0].Name != "/cli/app/host" {
		t.Errorf("describe-parameters tag filter: %+v", described)
	}

	var labelled struct {
		InvalidLabels    []string
		ParameterVersion int
	}
	awsCLI(t, s, &labelled, "ssm", "label-parameter-version", "--name", "/cli/app/db/password", "--parameter-version", "1", "--labels", "stable", "9lives")
	if labelled.ParameterVersion != 1 || strings.Join(labelled.InvalidLabels, " ") != "9lives" {
		t.Errorf("label-parameter-version: %+v", labelled)
	}
	var history struct {
		Parameters []struct {
			Version int
			Value   string
			Labels  []string
		}
	}
	awsCLI(t, s, &history, "ssm", "get-parameter-history", "--name", "/cli/app/db/password", "--with-decryption")
	h := history.Parameters
	if len(h) != 2 || h[0].Value != "p@ss word=1" || strings.Join(h[0].Labels, ",") != "stable" || h[1].Version != 2 {
		t.Errorf("get-parameter-history: %+v", h)
	}

	var deleted struct{ DeletedParameters, InvalidParameters []string }
	awsCLI(t, s, &deleted, "ssm", "delete-parameters", "--names", "/cli/app/host", "/cli/app/list", "/cli/nope")
	if strings.Join(deleted.DeletedParameters, " ") != "/cli/app/host /cli/app/list" || strings.Join(deleted.InvalidParameters, " ") != "/cli/nope" {
		t.Errorf("delete-parameters: %+v", deleted)
	}
}
