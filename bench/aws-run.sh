#!/usr/bin/env bash
# What a user scripts with the AWS CLI to run a command on the nodes of a tag
# and collect every node's result (bench/run.go measures it):
#
#   aws-run.sh per-node|poll-invocations|poll-command TAG_KEY TAG_VALUE MAX_ERRORS PARAMETERS_JSON
#
#   per-node          list the tag's nodes, send, then poll get-command-invocation
#                     for each node in turn until it is done (1 s between polls
#                     of a node that is not done)
#   poll-invocations  send, then poll list-command-invocations --details every
#                     second until no invocation is Pending, InProgress, Delayed
#                     or Cancelling
#   poll-command      send, poll list-commands every second until the command
#                     is done, then list-command-invocations --details once
#
# Prints "node<TAB>status<TAB>response code<TAB>end time" per node; exits 1
# if a node did not succeed, as a script checking the results would.
set -euo pipefail
mode=$1 key=$2 value=$3 max_errors=$4 parameters=$5

send() {
	aws ssm send-command --targets "Key=tag:$key,Values=$value" \
		--document-name AWS-RunShellScript --parameters "$parameters" \
		--max-errors "$max_errors" --query Command.CommandId --output text
}

invocations() {
	aws ssm list-command-invocations --command-id "$1" --details --output text \
		--query 'CommandInvocations[].[InstanceId,Status,CommandPlugins[0].ResponseCode,CommandPlugins[0].ResponseFinishDateTime]'
}

# report prints the per-node lines and fails if any node did not succeed.
report() { awk -F'\t' '{ print } $2 != "Success" { rc = 1 } END { exit rc }'; }

case $mode in
per-node)
	nodes=$(aws ssm describe-instance-information --filters "Key=tag:$key,Values=$value" \
		--page-size 50 --query 'InstanceInformationList[].InstanceId' --output text)
	command_id=$(send)
	for node in $nodes; do
		while :; do
			# InvocationDoesNotExist for a moment after sending: try again.
			if line=$(aws ssm get-command-invocation --command-id "$command_id" --instance-id "$node" \
				--query '[InstanceId,Status,ResponseCode,ExecutionEndDateTime]' --output text 2>/dev/null); then
				IFS=$'\t' read -r _ status _ <<<"$line"
				case $status in
				Pending | InProgress | Delayed | Cancelling) ;;
				*)
					printf '%s\n' "$line"
					break
					;;
				esac
			fi
			sleep 1
		done
	done | report
	;;
poll-invocations)
	command_id=$(send)
	while :; do
		out=$(invocations "$command_id" 2>/dev/null) || out=
		if [ -n "$out" ] && ! grep -qE $'\t(Pending|InProgress|Delayed|Cancelling)\t' <<<"$out"; then
			break
		fi
		sleep 1
	done
	report <<<"$out"
	;;
poll-command)
	command_id=$(send)
	while :; do
		status=$(aws ssm list-commands --command-id "$command_id" --query 'Commands[0].Status' --output text 2>/dev/null) || status=
		case $status in
		Success | Failed | TimedOut | Cancelled) break ;;
		esac
		sleep 1
	done
	invocations "$command_id" | report
	;;
*)
	echo "aws-run.sh: unknown mode $mode" >&2
	exit 2
	;;
esac
