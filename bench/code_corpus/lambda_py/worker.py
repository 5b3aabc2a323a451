import subprocess


def run_job(job):
    return subprocess.run(["/usr/bin/process", job["id"]], check=True)  # ok: 78


def main():
    subprocess.run("nightly-cleanup --all", shell=True)  # ok: 78
    return run_job({"id": "static"})
