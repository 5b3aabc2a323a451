"""Flow semantics of the taint analysis on small programs: folding, loops, walrus, unpacking,
comprehensions, recursion, class-based views, destructuring with rest, switch."""

from __future__ import annotations

from opskit.audit.code.rulebook import load_rulebook
from opskit.audit.code.syntax import parse
from opskit.audit.code.taint import TaintAnalysis


def command_lines(name: str, source: str) -> list[int]:
    unit = parse(name, source)
    assert unit is not None
    return [h.line for h in TaintAnalysis(load_rulebook()).run(unit) if h.rule == "code.command-injection"]


PYTHON = '''import os
from flask import request
from django.views import View
MODE = "prod"

def f():
    x = request.args["x"]
    if MODE == "dev":
        os.system(x)
    elif MODE == "prod":
        os.system("ls")
    else:
        os.system(x)
    while x:
        y = x
        break
    os.system(y)
    if (n := request.args.get("n")):
        os.system(n)
    a, b = x, "const"
    os.system(b)
    os.system(a)
    cmds = [c for c in request.args.getlist("c")]
    os.system(cmds[0])

def fact(v):
    return fact(v) if v else v

def g():
    os.system(fact(request.args["q"]))

class Detail(View):
    def get(self, request, pk):
        os.system("cat " + pk)
'''

JAVASCRIPT = '''const { exec } = require('child_process');
app.get('/x', (req, res) => {
  const { q: query, ...rest } = req.query;
  exec(query);
  exec(rest.other);
  switch (req.query.mode) {
    case 'a':
      exec('ls');
      break;
    default:
      exec(req.query.cmd);
  }
  exec('after switch ' + req.body.z);
  const arr = [...req.body.list];
  exec(arr[0]);
});
'''


def test_python_flow() -> None:
    # 9 and 13: branches folded away (MODE is "prod"); 21: the constant half of a tuple.
    assert command_lines("views.py", PYTHON) == [17, 19, 22, 24, 30, 34]


def test_javascript_flow() -> None:
    # 8: constant command; code after a switch with `break` is still analysed.
    assert command_lines("routes.js", JAVASCRIPT) == [4, 5, 11, 13, 15]


def test_typescript_and_tsx_parse_and_flow() -> None:
    ts = "import { exec } from 'child_process';\n" \
         "export function run(req: Request): void {\n  exec(`ls ${(req.query as any).dir}`);\n}\n"
    assert command_lines("run.ts", ts) == [3]
    tsx = "import { exec } from 'child_process';\n" \
          "export const View = (req: any) => { exec(req.query.c); return <div>{req.query.c}</div>; };\n"
    assert command_lines("view.tsx", tsx) == [2]


def test_the_request_passed_to_a_helper_under_another_name_is_still_input() -> None:
    source = ("import os\nfrom django.http import HttpResponse\n\n\ndef read_param(r, key):\n"
              "    return r.GET.get(key)\n\n\ndef view(request):\n    os.system(read_param(request, 'cmd'))\n"
              "    os.system(read_param(object(), 'cmd'))\n    return HttpResponse('ok')\n")
    assert command_lines("views.py", source) == [10]
