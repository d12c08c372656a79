package sandbox

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestQuotasParse(t *testing.T) {
	t.Parallel()
	q := Quotas{}
	for _, spec := range []string{"aws", "PutParameter=10", "GetParameterHistory=2.5"} {
		if err := q.Add(spec); err != nil {
			t.Fatalf("Add(%q): %v", spec, err)
		}
	}
	if q["PutParameter"] != 10 || q["GetParameter+GetParameters+GetParametersByPath"] != 40 || q["GetParameterHistory"] != 2.5 {
		t.Errorf("quotas: %v", q)
	}
	for _, bad := range []string{"", "PutParameter", "PutParameter=0", "PutParameter=-1", "PutParameter=x", "=3", "PutParameter=Inf"} {
		if err := (Quotas{}).Add(bad); err == nil {
			t.Errorf("Add(%q) accepted", bad)
		}
	}
	if _, err := New(Options{Quotas: Quotas{"NoSuchOp": 1}}); err == nil || !strings.Contains(err.Error(), "NoSuchOp") {
		t.Errorf("unknown operation: %v", err)
	}
}

// Beyond its quota an operation answers ThrottlingException, counted as
// throttled in the stats; other operations are not limited.
func TestQuotaThrottles(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Quotas: Quotas{"PutParameter": 2}})
	c := ssmClient(s)
	throttled := 0
	for i := range 20 {
		_, err := c.PutParameter(ctx(), &ssm.PutParameterInput{Name: aws.String("/q/p"), Value: aws.String("v"), Type: types.ParameterTypeString, Overwrite: aws.Bool(true)})
		switch code := errorCode(err); code {
		case "":
		case "ThrottlingException":
			throttled++
			if !strings.Contains(err.Error(), "Rate exceeded") {
				t.Errorf("call %d: %v", i, err)
			}
		default:
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if throttled == 0 {
		t.Error("20 PutParameter calls at once against a 2 TPS quota: none throttled")
	}
	for range 20 {
		if _, err := c.GetParameter(ctx(), &ssm.GetParameterInput{Name: aws.String("/q/p")}); err != nil {
			t.Fatalf("GetParameter has no quota here: %v", err)
		}
	}
	st := s.Stats().Operations["ssm.PutParameter"]
	if st.Throttled != int64(throttled) || st.Calls != 20 {
		t.Errorf("stats: %+v, want %d throttled of 20", st, throttled)
	}
}

// The fault injector reaches the Parameter Store operations too.
func TestParameterFaults(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Faults: Faults{Throttle: 0.3}, Seed: 7})
	c := ssm.NewFromConfig(s.AWSConfig(), func(o *ssm.Options) { o.Retryer = aws.NopRetryer{} })
	throttled := 0
	for range 50 {
		if _, err := c.DescribeParameters(ctx(), &ssm.DescribeParametersInput{}); errorCode(err) == "ThrottlingException" {
			throttled++
		}
	}
	if throttled == 0 || throttled == 50 {
		t.Errorf("throttle=0.3: %d of 50 DescribeParameters throttled", throttled)
	}
}
