package sandbox

import (
	"slices"
	"testing"
)

// Secrets Manager through the AWS CLI: create, read, version, rotate,
// delete and restore as the CLI sends them.
func TestAWSCLISecrets(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})

	var created struct{ ARN, Name, VersionId string }
	awsCLI(t, s, &created, "secretsmanager", "create-secret", "--name", "enterprise/ShipDatabase",
		"--description", "the ship's database", "--secret-string", `{"username":"admin","password":"p1"}`, "--tags", "Key=team,Value=ops")
	if created.Name != "enterprise/ShipDatabase" || len(created.VersionId) < 32 ||
		!matchARN(created.ARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:enterprise/ShipDatabase-") {
		t.Errorf("create-secret: %+v", created)
	}
	var val struct {
		SecretString  string
		VersionStages []string
		VersionId     string
	}
	awsCLI(t, s, &val, "secretsmanager", "get-secret-value", "--secret-id", "enterprise/ShipDatabase")
	if val.SecretString != `{"username":"admin","password":"p1"}` || !slices.Equal(val.VersionStages, []string{"AWSCURRENT"}) {
		t.Errorf("get-secret-value: %+v", val)
	}
	var put struct {
		VersionId     string
		VersionStages []string
	}
	awsCLI(t, s, &put, "secretsmanager", "put-secret-value", "--secret-id", created.ARN, "--secret-string", `{"username":"admin","password":"p2"}`)
	if !slices.Equal(put.VersionStages, []string{"AWSCURRENT"}) {
		t.Errorf("put-secret-value: %+v", put)
	}
	awsCLI(t, s, &val, "secretsmanager", "get-secret-value", "--secret-id", "enterprise/ShipDatabase", "--version-stage", "AWSPREVIOUS")
	if val.VersionId != created.VersionId {
		t.Errorf("AWSPREVIOUS: %+v, want version %s", val, created.VersionId)
	}

	var desc struct {
		ARN, Name, Description string
		RotationEnabled        bool
		VersionIdsToStages     map[string][]string
		Tags                   []struct{ Key, Value string }
		SecretString           *string
	}
	awsCLI(t, s, &desc, "secretsmanager", "describe-secret", "--secret-id", "enterprise/ShipDatabase")
	if desc.ARN != created.ARN || desc.Description != "the ship's database" || desc.RotationEnabled || len(desc.VersionIdsToStages) != 2 ||
		len(desc.Tags) != 1 || desc.SecretString != nil {
		t.Errorf("describe-secret: %+v", desc)
	}

	var rot struct{ VersionId string }
	awsCLI(t, s, &rot, "secretsmanager", "rotate-secret", "--secret-id", "enterprise/ShipDatabase",
		"--rotation-lambda-arn", "arn:aws:lambda:us-east-1:123456789012:function:rotate", "--rotation-rules", "ScheduleExpression=rate(10 days),Duration=3h")
	awsCLI(t, s, &val, "secretsmanager", "get-secret-value", "--secret-id", "enterprise/ShipDatabase")
	if val.VersionId != rot.VersionId || val.SecretString == `{"username":"admin","password":"p2"}` {
		t.Errorf("after rotate-secret: %+v (rotation %s)", val, rot.VersionId)
	}

	var versions struct {
		Versions []struct {
			VersionId     string
			VersionStages []string
		}
	}
	awsCLI(t, s, &versions, "secretsmanager", "list-secret-version-ids", "--secret-id", "enterprise/ShipDatabase")
	if len(versions.Versions) != 2 {
		t.Errorf("list-secret-version-ids: %+v", versions)
	}
	awsCLI(t, s, &versions, "secretsmanager", "list-secret-version-ids", "--secret-id", "enterprise/ShipDatabase", "--include-deprecated")
	if len(versions.Versions) != 3 {
		t.Errorf("list-secret-version-ids --include-deprecated: %+v", versions)
	}

	var list struct{ SecretList []struct{ Name string } }
	awsCLI(t, s, &list, "secretsmanager", "list-secrets", "--filters", "Key=name,Values=enterprise/")
	if len(list.SecretList) != 1 {
		t.Errorf("list-secrets: %+v", list)
	}
	var del struct{ DeletionDate any }
	awsCLI(t, s, &del, "secretsmanager", "delete-secret", "--secret-id", "enterprise/ShipDatabase", "--recovery-window-in-days", "7")
	if del.DeletionDate == nil {
		t.Errorf("delete-secret: %+v", del)
	}
	awsCLI(t, s, &list, "secretsmanager", "list-secrets")
	if len(list.SecretList) != 0 {
		t.Errorf("list-secrets after delete: %+v", list)
	}
	awsCLI(t, s, &list, "secretsmanager", "list-secrets", "--include-planned-deletion")
	if len(list.SecretList) != 1 {
		t.Errorf("list-secrets --include-planned-deletion: %+v", list)
	}
	awsCLI(t, s, &created, "secretsmanager", "restore-secret", "--secret-id", "enterprise/ShipDatabase")
	awsCLI(t, s, &val, "secretsmanager", "get-secret-value", "--secret-id", "enterprise/ShipDatabase")

	var pw struct{ RandomPassword string }
	awsCLI(t, s, &pw, "secretsmanager", "get-random-password", "--password-length", "20", "--exclude-punctuation")
	if len(pw.RandomPassword) != 20 {
		t.Errorf("get-random-password: %q", pw.RandomPassword)
	}
}

// matchARN says whether arn is prefix followed by a 6-character suffix.
func matchARN(arn, prefix string) bool {
	return len(arn) == len(prefix)+6 && arn[:len(prefix)] == prefix
}
