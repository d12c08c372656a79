package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// register plays the agent's registration (RegisterManagedInstance) and
// returns the answer.
func register(t *testing.T, s *Server, id, code string, extra map[string]any) rawResponse {
	t.Helper()
	body := map[string]any{"ActivationId": id, "ActivationCode": code}
	for k, v := range extra {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	return rawCall(t, s, "AmazonSSM.RegisterManagedInstance", string(b), &signSpec{})
}

func createActivation(t *testing.T, c *ssm.Client, in *ssm.CreateActivationInput) (id, code string) {
	t.Helper()
	out, err := c.CreateActivation(ctx(), in)
	if err != nil {
		t.Fatalf("CreateActivation: %v", err)
	}
	return *out.ActivationId, *out.ActivationCode
}

func TestActivationsLifecycle(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssm.NewFromConfig(s.AWSConfig())
	id, code := createActivation(t, c, &ssm.CreateActivationInput{
		IamRole: aws.String("service-role/SSMServiceRole"), DefaultInstanceName: aws.String("DevOnPrem"),
		RegistrationLimit: aws.Int32(2), Description: aws.String("dev servers"),
		Tags: []types.Tag{{Key: aws.String("Environment"), Value: aws.String("Dev")}},
	})
	if len(code) != 20 {
		t.Errorf("code %q: want 20 characters", code)
	}

	// Registration: a wrong code, then two nodes, then the limit.
	if r := register(t, s, id, strings.Repeat("x", 20), nil); r.Type != "InvalidActivation" {
		t.Errorf("wrong code: %d %s, want InvalidActivation", r.Status, r.Type)
	}
	var mis []string
	for i := range 2 {
		r := register(t, s, id, code, map[string]any{"ComputerName": fmt.Sprint("host", i), "IPAddress": "192.0.2.7", "Tags": map[string]string{"Rack": "r1"}})
		if r.Status != 200 {
			t.Fatalf("register: %d %s %v", r.Status, r.Type, r.Body)
		}
		mis = append(mis, r.Body["InstanceId"].(string))
	}
	if r := register(t, s, id, code, nil); r.Type != "InvalidActivation" || !strings.Contains(fmt.Sprint(r.Body["message"]), "registration limit (2)") {
		t.Errorf("third registration: %d %s %v, want InvalidActivation (limit)", r.Status, r.Type, r.Body)
	}

	info, err := c.DescribeInstanceInformation(ctx(), &ssm.DescribeInstanceInformationInput{
		Filters: []types.InstanceInformationStringFilter{{Key: aws.String("ActivationIds"), Values: []string{id}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(info.InstanceInformationList) != 2 {
		t.Fatalf("nodes of the activation: %d, want 2", len(info.InstanceInformationList))
	}
	n := info.InstanceInformationList[0]
	if *n.InstanceId != mis[0] || *n.Name != "DevOnPrem" || *n.IamRole != "service-role/SSMServiceRole" ||
		*n.ComputerName != "host0" || *n.IPAddress != "192.0.2.7" || n.PingStatus != types.PingStatusOnline || n.RegistrationDate == nil {
		t.Errorf("node: %+v", n)
	}
	tagsOut, err := c.ListTagsForResource(ctx(), &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String(mis[0])})
	if err != nil || len(tagsOut.TagList) != 2 {
		t.Errorf("node tags: %v %v, want the activation's Environment and Rack", tagsOut, err)
	}

	acts, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{})
	if err != nil || len(acts.ActivationList) != 1 {
		t.Fatalf("DescribeActivations: %v %v", acts, err)
	}
	a := acts.ActivationList[0]
	if *a.RegistrationsCount != 2 || *a.RegistrationLimit != 2 || a.Expired || *a.DefaultInstanceName != "DevOnPrem" || *a.Description != "dev servers" ||
		a.ExpirationDate.Sub(*a.CreatedDate) != 24*time.Hour || len(a.Tags) != 1 {
		t.Errorf("activation: %+v", a)
	}

	// Deregistration removes the node; the activation keeps its count.
	if _, err := c.DeregisterManagedInstance(ctx(), &ssm.DeregisterManagedInstanceInput{InstanceId: aws.String(mis[1])}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeregisterManagedInstance(ctx(), &ssm.DeregisterManagedInstanceInput{InstanceId: aws.String(mis[1])}); errorCode(err) != "InvalidInstanceId" {
		t.Errorf("deregister twice: %v, want InvalidInstanceId", err)
	}
	if _, err := c.DeregisterManagedInstance(ctx(), &ssm.DeregisterManagedInstanceInput{InstanceId: aws.String("i-0a1b2c3d4e5f60001")}); errorCode(err) != "ValidationException" {
		t.Errorf("deregister an EC2 node: %v, want ValidationException", err)
	}
	if _, ok := s.nodes.Get(mis[1]); ok {
		t.Error("deregistered node still there")
	}

	// Deleting the activation keeps its nodes and refuses registrations.
	if _, err := c.DeleteActivation(ctx(), &ssm.DeleteActivationInput{ActivationId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteActivation(ctx(), &ssm.DeleteActivationInput{ActivationId: aws.String(id)}); errorCode(err) != "InvalidActivationId" {
		t.Errorf("delete twice: %v, want InvalidActivationId", err)
	}
	if r := register(t, s, id, code, nil); r.Type != "InvalidActivation" {
		t.Errorf("register after delete: %s", r.Type)
	}
	if _, ok := s.nodes.Get(mis[0]); !ok {
		t.Error("deleting the activation removed its node")
	}
}

func TestActivationExpiry(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := Start(t, Options{Clock: clock})
	c := ssm.NewFromConfig(s.AWSConfig())
	id, code := createActivation(t, c, &ssm.CreateActivationInput{IamRole: aws.String("SSMServiceRole"), ExpirationDate: aws.Time(now.Add(time.Minute))})
	if r := register(t, s, id, code, nil); r.Status != 200 {
		t.Fatalf("register: %v", r.Body)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute) // within SigV4's allowed skew
	mu.Unlock()
	if r := register(t, s, id, code, nil); r.Type != "ActivationExpired" {
		t.Errorf("register after expiry: %d %s, want ActivationExpired", r.Status, r.Type)
	}
	acts, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{})
	if err != nil || !acts.ActivationList[0].Expired {
		t.Errorf("Expired: %v %v", acts, err)
	}
}

func TestCreateActivationValidation(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssm.NewFromConfig(s.AWSConfig())
	now := time.Now()
	for _, tt := range []struct {
		name string
		in   ssm.CreateActivationInput
		want string
	}{
		{"limit 0", ssm.CreateActivationInput{IamRole: aws.String("R"), RegistrationLimit: aws.Int32(0)}, "ValidationException"},
		{"limit 1001", ssm.CreateActivationInput{IamRole: aws.String("R"), RegistrationLimit: aws.Int32(1001)}, "ValidationException"},
		{"role 65", ssm.CreateActivationInput{IamRole: aws.String(strings.Repeat("r", 65))}, "ValidationException"},
		{"role arn", ssm.CreateActivationInput{IamRole: aws.String("arn:aws:iam::123456789012:role/R")}, "ValidationException"},
		{"service-linked role", ssm.CreateActivationInput{IamRole: aws.String("aws-service-role/ssm.amazonaws.com/AWSServiceRoleForAmazonSSM")}, "ValidationException"},
		{"description 257", ssm.CreateActivationInput{IamRole: aws.String("R"), Description: aws.String(strings.Repeat("d", 257))}, "ValidationException"},
		{"name pattern", ssm.CreateActivationInput{IamRole: aws.String("R"), DefaultInstanceName: aws.String("a;b")}, "ValidationException"},
		{"expiry 31 days", ssm.CreateActivationInput{IamRole: aws.String("R"), ExpirationDate: aws.Time(now.Add(31 * 24 * time.Hour))}, "InvalidParameters"},
		{"expiry past", ssm.CreateActivationInput{IamRole: aws.String("R"), ExpirationDate: aws.Time(now.Add(-time.Hour))}, "InvalidParameters"},
		{"aws: tag", ssm.CreateActivationInput{IamRole: aws.String("R"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}, "ValidationException"},
	} {
		if _, err := c.CreateActivation(ctx(), &tt.in); errorCode(err) != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
		}
	}
	acts, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{})
	if err != nil || len(acts.ActivationList) != 0 {
		t.Errorf("refused activations were created: %v %v", acts, err)
	}
	if _, err := c.CreateActivation(ctx(), &ssm.CreateActivationInput{IamRole: aws.String("R"), ExpirationDate: aws.Time(now.Add(29 * 24 * time.Hour)), RegistrationLimit: aws.Int32(1000)}); err != nil {
		t.Errorf("29 days, limit 1000: %v", err)
	}
}

func TestDescribeActivationsFiltersAndPages(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssm.NewFromConfig(s.AWSConfig())
	var ids []string
	for _, name := range []string{"DevOnPrem", "ProdOnPrem", "DevOnPrem"} {
		id, _ := createActivation(t, c, &ssm.CreateActivationInput{IamRole: aws.String("Role" + name), DefaultInstanceName: aws.String(name)})
		ids = append(ids, id)
	}
	var got []string
	p := ssm.NewDescribeActivationsPaginator(c, &ssm.DescribeActivationsInput{MaxResults: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range page.ActivationList {
			got = append(got, *a.ActivationId)
		}
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Errorf("pages: %v, want %v", got, ids)
	}
	for _, tt := range []struct {
		key    types.DescribeActivationsFilterKeys
		values []string
		want   int
	}{
		{types.DescribeActivationsFilterKeysDefaultInstanceName, []string{"DevOnPrem"}, 2},
		{types.DescribeActivationsFilterKeysIamRole, []string{"RoleProdOnPrem"}, 1},
		{types.DescribeActivationsFilterKeysActivationIds, []string{ids[0], ids[2]}, 2},
		{types.DescribeActivationsFilterKeysActivationIds, []string{"00000000-0000-4000-8000-000000000000"}, 0},
	} {
		out, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{Filters: []types.DescribeActivationsFilter{{FilterKey: tt.key, FilterValues: tt.values}}})
		if err != nil || len(out.ActivationList) != tt.want {
			t.Errorf("%s=%v: %v %v, want %d", tt.key, tt.values, out, err, tt.want)
		}
	}
	for _, n := range []int32{0, 51} {
		if _, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{MaxResults: aws.Int32(n)}); errorCode(err) != "ValidationException" {
			t.Errorf("MaxResults %d: %v", n, err)
		}
	}
	if _, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{NextToken: aws.String("bogus")}); errorCode(err) != "InvalidNextToken" {
		t.Errorf("bad token: %v", err)
	}
}

func TestActivationTierAndSessions(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssm.NewFromConfig(s.AWSConfig())
	arn := "arn:aws:ssm:" + s.Region() + ":" + s.AccountID() + ":servicesetting/ssm/managed-instance/activation-tier"
	get := func(id string) types.ServiceSetting {
		t.Helper()
		out, err := c.GetServiceSetting(ctx(), &ssm.GetServiceSettingInput{SettingId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return *out.ServiceSetting
	}
	if st := get(arn); *st.SettingValue != "standard" || *st.Status != "Default" || *st.ARN != arn || *st.SettingId != "/ssm/managed-instance/activation-tier" {
		t.Errorf("default tier: %+v", st)
	}
	if _, err := c.GetServiceSetting(ctx(), &ssm.GetServiceSettingInput{SettingId: aws.String("/ssm/no/such")}); errorCode(err) != "ServiceSettingNotFound" {
		t.Errorf("unknown setting: %v", err)
	}
	if _, err := c.UpdateServiceSetting(ctx(), &ssm.UpdateServiceSettingInput{SettingId: aws.String(arn), SettingValue: aws.String("premium")}); errorCode(err) != "ValidationException" {
		t.Errorf("tier premium: %v", err)
	}

	// The default fleet's hybrid node: no session in the standard tier.
	const mi = "mi-0a1b2c3d4e5f60004"
	if _, err := c.StartSession(ctx(), &ssm.StartSessionInput{Target: aws.String(mi)}); errorCode(err) != "BadRequest" ||
		!strings.Contains(err.Error(), "Enable advanced-instances tier") {
		t.Errorf("session in the standard tier: %v, want BadRequest", err)
	}
	if _, err := c.StartSession(ctx(), &ssm.StartSessionInput{Target: aws.String("i-0a1b2c3d4e5f60001")}); err != nil {
		t.Errorf("EC2 node in the standard tier: %v", err)
	}
	if _, err := c.UpdateServiceSetting(ctx(), &ssm.UpdateServiceSettingInput{SettingId: aws.String("/ssm/managed-instance/activation-tier"), SettingValue: aws.String("advanced")}); err != nil {
		t.Fatal(err)
	}
	if st := get(arn); *st.SettingValue != "advanced" || *st.Status != "Customized" || st.LastModifiedDate == nil {
		t.Errorf("advanced tier: %+v", st)
	}
	if _, err := c.StartSession(ctx(), &ssm.StartSessionInput{Target: aws.String(mi)}); err != nil {
		t.Errorf("session in the advanced tier: %v", err)
	}
	out, err := c.ResetServiceSetting(ctx(), &ssm.ResetServiceSettingInput{SettingId: aws.String(arn)})
	if err != nil || *out.ServiceSetting.SettingValue != "standard" || *out.ServiceSetting.Status != "Default" {
		t.Errorf("reset: %v %v", out, err)
	}
}

func TestActivationsAWSCLI(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{})
	c := ssm.NewFromConfig(s.AWSConfig())
	var created struct{ ActivationId, ActivationCode string }
	awsCLI(t, s, &created, "ssm", "create-activation", "--iam-role", "SSMServiceRole", "--default-instance-name", "ProdOnPrem",
		"--registration-limit", "10", "--expiration-date", time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339),
		"--tags", "Key=Environment,Value=Prod")
	if created.ActivationId == "" || len(created.ActivationCode) < 20 {
		t.Fatalf("create-activation: %+v", created)
	}
	r := register(t, s, created.ActivationId, created.ActivationCode, nil)
	if r.Status != 200 {
		t.Fatalf("register: %v", r.Body)
	}
	for range 2 {
		createActivation(t, c, &ssm.CreateActivationInput{IamRole: aws.String("SSMServiceRole")})
	}
	var listed struct {
		ActivationList []struct {
			ActivationId       string
			RegistrationsCount int
			RegistrationLimit  int
			Expired            bool
			ExpirationDate     any
		}
	}
	// Three activations a page of one at a time: the CLI follows NextToken.
	awsCLI(t, s, &listed, "ssm", "describe-activations", "--page-size", "1")
	if len(listed.ActivationList) != 3 {
		t.Fatalf("describe-activations: %+v", listed)
	}
	if a := listed.ActivationList[0]; a.ActivationId != created.ActivationId || a.RegistrationsCount != 1 || a.RegistrationLimit != 10 || a.Expired {
		t.Errorf("activation: %+v", a)
	}
	if _, ok := listed.ActivationList[0].ExpirationDate.(float64); !ok {
		t.Errorf("ExpirationDate %v is not epoch seconds", listed.ActivationList[0].ExpirationDate)
	}

	var setting struct {
		ServiceSetting struct{ SettingId, SettingValue, Status, ARN string }
	}
	arn := "arn:aws:ssm:" + s.Region() + ":" + s.AccountID() + ":servicesetting/ssm/managed-instance/activation-tier"
	awsCLI(t, s, &setting, "ssm", "reset-service-setting", "--setting-id", arn)
	if setting.ServiceSetting.SettingValue != "standard" || setting.ServiceSetting.ARN != arn || setting.ServiceSetting.SettingId != "/ssm/managed-instance/activation-tier" {
		t.Errorf("reset-service-setting: %+v", setting)
	}
	// The commands that answer nothing print nothing.
	awsCLI(t, s, nil, "ssm", "update-service-setting", "--setting-id", arn, "--setting-value", "advanced")
	awsCLI(t, s, nil, "ssm", "deregister-managed-instance", "--instance-id", r.Body["InstanceId"].(string))
	awsCLI(t, s, nil, "ssm", "delete-activation", "--activation-id", created.ActivationId)
	got, err := c.GetServiceSetting(ctx(), &ssm.GetServiceSettingInput{SettingId: aws.String(arn)})
	if err != nil || *got.ServiceSetting.SettingValue != "advanced" {
		t.Errorf("after update-service-setting: %v %v", got, err)
	}
	if _, ok := s.nodes.Get(r.Body["InstanceId"].(string)); ok {
		t.Error("deregister-managed-instance left the node")
	}
	acts, err := c.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{})
	if err != nil || len(acts.ActivationList) != 2 {
		t.Errorf("after delete-activation: %v %v", acts, err)
	}
}

func TestActivationsStatePersists(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	s1, err := New(Options{StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	s1.Start()
	c1 := ssm.NewFromConfig(s1.AWSConfig())
	id, code := createActivation(t, c1, &ssm.CreateActivationInput{IamRole: aws.String("SSMServiceRole"), RegistrationLimit: aws.Int32(3)})
	r := register(t, s1, id, code, nil)
	if r.Status != 200 {
		t.Fatalf("register: %v", r.Body)
	}
	if _, err := c1.UpdateServiceSetting(ctx(), &ssm.UpdateServiceSettingInput{SettingId: aws.String("/ssm/managed-instance/activation-tier"), SettingValue: aws.String("advanced")}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), code) {
		t.Error("the state file holds the activation code")
	}

	// Restarted: the activation (and its code), its node and the tier.
	s2 := Start(t, Options{StatePath: path})
	c2 := ssm.NewFromConfig(s2.AWSConfig())
	if r := register(t, s2, id, code, nil); r.Status != 200 {
		t.Errorf("register after restart: %v", r.Body)
	}
	if _, ok := s2.nodes.Get(r.Body["InstanceId"].(string)); !ok {
		t.Error("the registered node is gone after restart")
	}
	acts, err := c2.DescribeActivations(ctx(), &ssm.DescribeActivationsInput{})
	if err != nil || len(acts.ActivationList) != 1 || *acts.ActivationList[0].RegistrationsCount != 2 {
		t.Errorf("activations after restart: %v %v", acts, err)
	}
	got, err := c2.GetServiceSetting(ctx(), &ssm.GetServiceSettingInput{SettingId: aws.String("/ssm/managed-instance/activation-tier")})
	if err != nil || *got.ServiceSetting.SettingValue != "advanced" {
		t.Errorf("tier after restart: %v %v", got, err)
	}
}
