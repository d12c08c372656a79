package session

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ssmctl/ssmctl/pkg/exitcode"
)

type fakeSessions struct {
	all        []types.Session
	pageSize   int
	inputs     []*ssm.DescribeSessionsInput
	terminated []string
	failIDs    map[string]bool
}

func (f *fakeSessions) DescribeSessions(_ context.Context, in *ssm.DescribeSessionsInput, _ ...func(*ssm.Options)) (*ssm.DescribeSessionsOutput, error) {
	f.inputs = append(f.inputs, in)
	start := 0
	if in.NextToken != nil {
		fmt.Sscan(*in.NextToken, &start)
	}
	var match []types.Session
	for _, s := range f.all {
		ok := true
		for _, fl := range in.Filters {
			if fl.Key == types.SessionFilterKeyTargetId && aws.ToString(s.Target) != aws.ToString(fl.Value) {
				ok = false
			}
			if fl.Key == types.SessionFilterKeySessionId && aws.ToString(s.SessionId) != aws.ToString(fl.Value) {
				ok = false
			}
		}
		if ok {
			match = append(match, s)
		}
	}
	end := min(start+f.pageSize, len(match))
	out := &ssm.DescribeSessionsOutput{Sessions: match[start:end]}
	if end < len(match) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

func (f *fakeSessions) TerminateSession(_ context.Context, in *ssm.TerminateSessionInput, _ ...func(*ssm.Options)) (*ssm.TerminateSessionOutput, error) {
	id := aws.ToString(in.SessionId)
	if f.failIDs[id] {
		return nil, errors.New("boom")
	}
	f.terminated = append(f.terminated, id)
	return &ssm.TerminateSessionOutput{SessionId: in.SessionId}, nil
}

func TestListFollowsPagesAndFilters(t *testing.T) {
	f := &fakeSessions{pageSize: 2}
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		f.all = append(f.all, types.Session{SessionId: aws.String(fmt.Sprintf("alice-%d", i)), Target: aws.String(fmt.Sprintf("i-%d", i%2)),
			Status: types.SessionStatusConnected, StartDate: aws.Time(start), Owner: aws.String("arn:aws:iam::123456789012:user/alice")})
	}
	got, err := List(context.Background(), f, ListFilter{State: "Active"})
	if err != nil || len(got) != 5 || len(f.inputs) != 3 {
		t.Fatalf("got %d sessions in %d calls, err %v", len(got), len(f.inputs), err)
	}
	if *f.inputs[0].MaxResults != 200 || f.inputs[0].State != types.SessionStateActive {
		t.Fatalf("first input %+v", f.inputs[0])
	}
	if got[0].ID != "alice-0" || got[0].Status != "Connected" || !got[0].Start.Equal(start) {
		t.Fatalf("record %+v", got[0])
	}

	// One target: AWS filters.
	f.inputs = nil
	got, _ = List(context.Background(), f, ListFilter{State: "History", Targets: []string{"i-1"}, Owner: "alice",
		After: start, Status: "Terminated"})
	if len(got) != 2 {
		t.Fatalf("one target: %d", len(got))
	}
	var keys []string
	for _, fl := range f.inputs[0].Filters {
		keys = append(keys, string(fl.Key)+"="+aws.ToString(fl.Value))
	}
	want := []string{"Target=i-1", "Owner=alice", "Status=Terminated", "InvokedAfter=2026-11-23T10:00:00Z"}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("filters %v, want %v", keys, want)
	}

	// Several targets: read once, filtered here.
	f.all = append(f.all, types.Session{SessionId: aws.String("bob-9"), Target: aws.String("i-7")})
	f.inputs = nil
	got, _ = List(context.Background(), f, ListFilter{State: "Active", Targets: []string{"i-7", "i-1"}})
	if len(got) != 3 || len(f.inputs[0].Filters) != 0 {
		t.Fatalf("several targets: %d sessions, filters %v", len(got), f.inputs[0].Filters)
	}

	if _, err := List(context.Background(), f, ListFilter{State: "Gone"}); err == nil {
		t.Fatal("bad state accepted")
	}
}

// Each session is looked up first: an unknown one fails (254) and an ended
// one is reported so; neither is sent to TerminateSession, which would
// answer success for both.
func TestTerminateReportsEach(t *testing.T) {
	sess := func(id string, st types.SessionStatus) types.Session {
		return types.Session{SessionId: aws.String(id), Target: aws.String("i-1"), Status: st}
	}
	f := &fakeSessions{pageSize: 10, failIDs: map[string]bool{"b-2": true}, all: []types.Session{
		sess("a-1", types.SessionStatusConnected), sess("b-2", types.SessionStatusConnected),
		sess("c-3", types.SessionStatusConnected), sess("d-4", types.SessionStatusTerminated),
	}}
	res, err := Terminate(context.Background(), f, []string{"a-1", "b-2", "c-3", "d-4", "nosuch-5"})
	if err == nil || len(res) != 5 || res[1].Err == nil || res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("res %+v err %v", res, err)
	}
	if res[3].Err != nil || res[3].Ended != "Terminated" {
		t.Errorf("ended session: %+v", res[3])
	}
	if exitcode.Code(res[4].Err) != exitcode.AWS || !strings.Contains(res[4].Err.Error(), "no session nosuch-5") {
		t.Errorf("unknown session: %+v", res[4])
	}
	if !reflect.DeepEqual(f.terminated, []string{"a-1", "c-3"}) {
		t.Fatalf("terminated %v", f.terminated)
	}
}

func TestValidateSessionID(t *testing.T) {
	for id, ok := range map[string]bool{"alice-0123456789abcdef0": true, "": false, "a b": false, "x/y": false} {
		if err := ValidateSessionID(id); (err == nil) != ok {
			t.Errorf("%q: %v", id, err)
		}
	}
}
