package sandbox

import "testing"

// Several accounts and Regions through the AWS CLI: a profile per account
// (Profiles), the Region on the command line.
func TestLocationsAWSCLI(t *testing.T) {
	t.Parallel()
	s := Start(t, multiOptions())
	profiles := s.Profiles()

	var who struct{ Arn, Account, UserId string }
	awsCLIWith(t, s, profiles, &who, "sts", "get-caller-identity", "--profile", ProfileName(otherAccount))
	if who.Account != otherAccount || who.Arn != "arn:aws:iam::222222222222:user/sandbox-user" {
		t.Fatalf("get-caller-identity: %+v", who)
	}
	awsCLIWith(t, s, profiles, &who, "sts", "get-caller-identity")
	if who.Account != mgmtAccount {
		t.Fatalf("get-caller-identity without a profile (the environment's): %+v", who)
	}
	var info struct{ InstanceInformationList []struct{ InstanceId string } }
	awsCLIWith(t, s, profiles, &info, "ssm", "describe-instance-information", "--region", "eu-west-1", "--profile", ProfileName(otherAccount))
	if len(info.InstanceInformationList) != 4 {
		t.Fatalf("describe-instance-information in 222222222222/eu-west-1: %+v", info)
	}
	// The environment's AWS_REGION wins over a profile's region: the
	// Region is on the command line.
	awsCLIWith(t, s, profiles, &info, "ssm", "describe-instance-information", "--profile", ProfileName(thirdAccount), "--region", "ap-south-1")
	if len(info.InstanceInformationList) != 1 {
		t.Fatalf("describe-instance-information in 333333333333/ap-south-1: %+v", info)
	}
}
