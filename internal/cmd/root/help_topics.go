package root

import (
	"github.com/spf13/cobra"
)

// Help topics: `ssmctl help exit-codes`, `ssmctl help environment`. Their
// text is also in docs/, generated from these commands.
func newHelpTopics() []*cobra.Command {
	return []*cobra.Command{
		{
			Use:   "exit-codes",
			Short: "What ssmctl's exit codes mean",
			Long: `ssmctl's exit status tells a script what happened.

  0    success on every target
  1    the remote command ran and failed (several targets: at least one failed)
  1-255  one target: the remote exit code is passed through unchanged, as ssh does
  124  the command timed out (execution or delivery) and none failed outright
  129  interrupted by SIGHUP (the terminal closed), after cancelling the
       commands and terminating the sessions ssmctl started
  130  interrupted (Ctrl-C, SIGINT), the same way
  141  interrupted by SIGPIPE (the reader of ssmctl's output went away)
  143  interrupted by SIGTERM
  194  a reboot is owed and has not happened (3010 on Windows)
  252  usage error: a bad flag, argument, target spec, name or value, found
       before any AWS call; also a target that matches no node
  253  configuration error: no region, no credentials, unknown profile, a bad
       ssmctl config file
  254  AWS answered with an error (AccessDenied, ParameterNotFound,
       InvalidInstanceId, throttling after all retries)
  255  anything else (network unreachable, output that could not be written,
       internal error)

Several targets aggregate with the precedence 1 > 124 > 194 > 0.
Every failure prints one line on stderr that starts with "ssmctl: ".`,
		},
		{
			Use:   "environment",
			Short: "Environment variables and the config file",
			Long: `Precedence, highest first: command-line flag, environment variable,
ssmctl config file, AWS shared config (~/.aws/config).

ssmctl's own variables
  SSMCTL_CONFIG         config file (default $XDG_CONFIG_HOME/ssmctl/config.yaml,
                        else ~/.config/ssmctl/config.yaml)
  SSMCTL_PROFILE, SSMCTL_REGION, SSMCTL_ENDPOINT_URL, SSMCTL_CA_BUNDLE, SSMCTL_OUTPUT,
  SSMCTL_NO_COLOR, SSMCTL_QUIET, SSMCTL_DEBUG
                        the global flags of the same name
  SSMCTL_<COMMAND>_<FLAG>
                        a command's flag default, e.g. SSMCTL_NODES_PING=Online

AWS variables, read as the AWS SDK reads them
  AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_REGION, AWS_DEFAULT_REGION,
  AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SSM, AWS_CA_BUNDLE, AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_CONFIG_FILE,
  AWS_SHARED_CREDENTIALS_FILE, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS
  (SSO, credential_process and assume-role profiles work as in the AWS CLI;
  an MFA code is asked for on a terminal.)

Output
  NO_COLOR              any value turns colour off (https://no-color.org)
  COLUMNS               the width tables are fitted to (a pipe too); -o wide never fits

The config file (YAML)
  region: eu-west-1             # any global flag: profile, region, endpoint-url, ca-bundle,
  output: json                  #   output, no-color, quiet, debug
  aliases:                      # @db, @web on the command line
    db: "tag:Role=db"
    web: ["web-*", "tag:Environment=Prod"]
  nodes:                        # a command's flag defaults
    ping: Online

An unknown key in the file is an error (exit 253), so typos do not go unnoticed.`,
		},
	}
}
