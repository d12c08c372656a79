#!/usr/bin/env bash
# What a user scripts with the AWS CLI to run a runbook to its end (bench/
# automation.go measures it):
#
#   aws-automation.sh DOCUMENT
#
# start-automation-execution, then get-automation-execution once a second
# until the execution ends. Prints "step<TAB>status<TAB>end time" per step
# and exits 1 unless the execution succeeded, as a script checking it would.
set -euo pipefail
id=$(aws ssm start-automation-execution --document-name "$1" --query AutomationExecutionId --output text)
while :; do
	sleep 1
	status=$(aws ssm get-automation-execution --automation-execution-id "$id" \
		--query AutomationExecution.AutomationExecutionStatus --output text 2>/dev/null) || status=
	case $status in
	Success | Failed | TimedOut | Cancelled | CompletedWithSuccess | CompletedWithFailure) break ;;
	esac
done
aws ssm get-automation-execution --automation-execution-id "$id" --output text \
	--query 'AutomationExecution.StepExecutions[].[StepName,StepStatus,ExecutionEndTime]'
[ "$status" = Success ]
