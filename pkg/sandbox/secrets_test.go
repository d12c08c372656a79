package sandbox

import (
	"bytes"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

func secretsClient(s *Server) *secretsmanager.Client {
	return secretsmanager.NewFromConfig(s.AWSConfig(), func(o *secretsmanager.Options) { o.Retryer = transportRetryer() })
}

// Secrets Manager through the SDK: binary values, BatchGetSecretValue,
// ListSecrets' filters and pages, tags, errors.
func TestSecretsSDK(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := secretsClient(s)
	bin := []byte{0, 1, 2, 255}
	if _, err := c.CreateSecret(ctx(), &secretsmanager.CreateSecretInput{Name: aws.String("app/cert"), SecretBinary: bin}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"app/db", "app/api", "other/x"} {
		if _, err := c.CreateSecret(ctx(), &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String("v-" + n),
			Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.GetSecretValue(ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("app/cert")})
	if err != nil || !bytes.Equal(got.SecretBinary, bin) || got.SecretString != nil || got.CreatedDate == nil {
		t.Fatalf("binary: %+v %v", got, err)
	}
	var names []string
	p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{MaxResults: aws.Int32(1),
		Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{"app/"}}}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.SecretList {
			names = append(names, aws.ToString(e.Name))
		}
	}
	if len(names) != 3 {
		t.Errorf("ListSecrets name=app/ in pages of 1: %v", names)
	}
	out, err := c.ListSecrets(ctx(), &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeTagValue, Values: []string{"prod"}},
		{Key: types.FilterNameStringTypeName, Values: []string{"!other"}}}})
	if err != nil || len(out.SecretList) != 2 {
		t.Errorf("ListSecrets tag-value=prod, name=!other: %+v %v", out, err)
	}
	batch, err := c.BatchGetSecretValue(ctx(), &secretsmanager.BatchGetSecretValueInput{SecretIdList: []string{"app/db", "nope"}})
	if err != nil || len(batch.SecretValues) != 1 || aws.ToString(batch.SecretValues[0].SecretString) != "v-app/db" ||
		len(batch.Errors) != 1 || aws.ToString(batch.Errors[0].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("BatchGetSecretValue: %+v %v", batch, err)
	}
	_, err = c.GetSecretValue(ctx(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !asErr(err, &nf) {
		t.Errorf("unknown secret: %v", err)
	}
	if _, err := c.UntagResource(ctx(), &secretsmanager.UntagResourceInput{SecretId: aws.String("app/db"), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeSecret(ctx(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("app/db")})
	if err != nil || len(d.Tags) != 0 || d.CreatedDate == nil || d.LastChangedDate == nil {
		t.Errorf("DescribeSecret after untag: %+v %v", d, err)
	}
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
