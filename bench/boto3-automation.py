# The AWS CLI loop of aws-automation.sh in one Python process (boto3), so
# that it really polls once a second: start_automation_execution, then
# get_automation_execution every second until the execution ends (bench/
# automation.go measures it). Prints "step<TAB>status<TAB>end" per step
# (epoch seconds) and exits 1 unless the execution succeeded.
import sys
import time

import boto3

ssm = boto3.client("ssm")
eid = ssm.start_automation_execution(DocumentName=sys.argv[1])["AutomationExecutionId"]
while True:
    time.sleep(1)
    e = ssm.get_automation_execution(AutomationExecutionId=eid)["AutomationExecution"]
    if e["AutomationExecutionStatus"] in ("Success", "Failed", "TimedOut", "Cancelled", "CompletedWithSuccess", "CompletedWithFailure"):
        break
for s in e["StepExecutions"]:
    print("%s\t%s\t%.3f" % (s["StepName"], s["StepStatus"], s["ExecutionEndTime"].timestamp()))
sys.exit(0 if e["AutomationExecutionStatus"] == "Success" else 1)
