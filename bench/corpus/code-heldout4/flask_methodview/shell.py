import subprocess


def run_tool(command_line):
    return subprocess.run(command_line, shell=True, capture_output=True, text=True).stdout  # bad: 78


def run_tool_args(argv):
    return subprocess.run(argv, capture_output=True, text=True).stdout  # ok: 78
