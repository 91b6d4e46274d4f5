/* commands.h — the subcommands of the `setu` executable. Each lives in its own file
 * (cmd_<name>.c) and returns the process exit code: 0 ok, 1 failure, 2 usage error. */
#ifndef SETU_CLI_COMMANDS_H
#define SETU_CLI_COMMANDS_H

int cmd_sensor(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_hub(int argc, char **argv);
int cmd_stix(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

#endif
