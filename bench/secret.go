package main

import (
	"context"
	"fmt"
	"os/exec"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ssmctl/ssmctl/pkg/sandbox"
)

// Secrets Manager scenarios.
func init() {
	register(secretGetScenario)
}

// secretGetScenario: one field of a JSON secret read 100 times in a shell
// loop, beside the AWS CLI piped into jq (the CLI's own
// --query SecretString.password is null: SecretString is a string).
func secretGetScenario(cfg config) scenario {
	const loops = 100
	loop := func(cmd string) []string {
		return []string{"sh", "-c", fmt.Sprintf("i=0; while [ $i -lt %d ]; do %s || exit 1; i=$((i+1)); done", loops, cmd)}
	}
	commands := []command{
		{Label: "ssmctl secret get --field password", Argv: loop("ssmctl secret get bench/db --field password"), Result: sameLines("s3cr3t-pw", loops)},
	}
	notes := []string{"Each iteration starts a process (two for the AWS CLI row: aws and jq): what is measured is mostly start-up."}
	if _, err := exec.LookPath("jq"); err == nil {
		commands = append(commands, command{Label: "aws CLI get-secret-value piped to jq -r .password",
			Argv: loop("aws secretsmanager get-secret-value --secret-id bench/db --query SecretString --output text | jq -r .password"),
			Env:  cliRetries, Result: sameLines("s3cr3t-pw", loops)})
	} else {
		notes = append(notes, "jq is not installed: the AWS CLI row (aws secretsmanager get-secret-value ... | jq -r .password) was left out.")
	}
	return scenario{
		Name:    "secret-get",
		Title:   fmt.Sprintf("read one field of a JSON secret %d times in a shell loop", loops),
		Sandbox: sandbox.Options{Seed: 1},
		Setup: func(ctx context.Context, e *env) error {
			_, err := secretsmanager.NewFromConfig(e.sb.AWSConfig()).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("bench/db"),
				SecretString: aws.String(`{"username":"app","password":"s3cr3t-pw","host":"db.internal","port":5432}`)})
			return err
		},
		Commands: commands,
		Notes:    notes,
		Checks: func(rows []row) []string {
			if len(rows) < 2 || len(rows[0].Samples) == 0 || len(rows[1].Samples) == 0 {
				return nil
			}
			r := rows[1].medianWall().Seconds() / rows[0].medianWall().Seconds()
			return []string{fmt.Sprintf("ssmctl is %.1fx faster than the AWS CLI and jq loop (target at least 10x).", r)}
		},
	}
}
