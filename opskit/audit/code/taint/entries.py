"""Entries: the functions a framework calls (route handlers, views, Lambda handlers, message and
JS route callbacks), their parameters, and the definitions and classes of a file."""

from __future__ import annotations

import re
from collections.abc import Sequence

from tree_sitter import Node

from opskit.audit.code.matching import globs
from opskit.audit.code.syntax import constant, definitions
from opskit.audit.code.taint.state import MAX_DEPTH, ClassRef, Frame, State
from opskit.audit.code.taint.statements import ROUTE_DECORATORS
from opskit.audit.code.taint.values import CLEAN, Env, Origin, Value

# Routes whose returned string is the HTML body: Flask/Quart/Bottle routes, CherryPy exposed methods
HTML_ROUTE = globs(["*.route", "*.expose"])
HTML_RESPONSE = re.compile(r"\bresponse_class\s*=\s*(?:\w+\.)*HTMLResponse\b")  # FastAPI
# Parameter decorator -> input kind: NestJS, routing-controllers (@QueryParam('q')), tsoa (@Path() id)
NEST_PARAMETERS = {"Query": "query", "Body": "body", "Param": "path", "Headers": "header", "Req": "query",
                   "Request": "query", "Cookies": "cookie", "UploadedFile": "body", "QueryParam": "query",
                   "QueryParams": "query", "BodyParam": "body", "HeaderParam": "header", "HeaderParams": "header",
                   "CookieParam": "cookie", "CookieParams": "cookie", "Params": "path", "UploadedFiles": "body",
                   "Path": "path", "BodyProp": "body", "Header": "header", "Queries": "query", "FormField": "body"}
NEST_PIPES = frozenset({"ParseIntPipe", "ParseFloatPipe", "ParseBoolPipe", "ParseUUIDPipe", "ParseEnumPipe"})
# Path parameters converted to numbers or UUIDs: Flask <int:id>, Starlette {id:int}, Sanic <id:int>
CONVERTED = re.compile(r"<(?:int|float|uuid):(\w+)>|\{(\w+):(?:int|float|uuid)\}|<(\w+):(?:int|float|uuid|number)>")
TORNADO_IMPORT = re.compile(rb"(?m)^\s*(?:from|import)\s+tornado\b")
FALCON_IMPORT = re.compile(rb"(?m)^\s*(?:from|import)\s+falcon\b")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
ROUTE_CALLS = globs(["*.get", "*.post", "*.put", "*.patch", "*.delete", "*.del", "*.all", "*.use", "*.head",
                     "*.options", "*.route.*"])
SAFE_PARAM_TYPES = frozenset({"int", "float", "bool", "UUID", "uuid.UUID", "datetime", "date", "Decimal"})
FRAMEWORK_PARAMS = frozenset({"self", "cls", "request", "req", "res", "response", "db", "session", "background_tasks"})
FRAMEWORK_TYPES = re.compile(r"\b(?:Request|Response|Session|BackgroundTasks|WebSocket|HttpRequest)\b")
# Exported functions a file-based router calls with the request: Next.js, SvelteKit and Astro
# endpoints (GET, POST, ...), Remix loaders and actions.
EXPORTED_HANDLERS = re.compile(r"GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ALL|loader|action")
# A route callback's first parameter read by its own name: the request (Express, Next), Koa's and
# oak's ctx, Hono's c (c.req is the request); any other name is read as ``req``.
CONTEXT_NAMES = frozenset({"req", "request", "ctx", "c"})
Param = tuple[str, str | None, str | None]  # name, type text, default text


class Entries(State):
    """Where analysis starts: each function a framework calls, with its untrusted parameters."""

    def collect_functions(self, root: Node) -> None:
        """Every named function, method and class of the file (methods also by their bare name; a
        later definition of a name wins, as when the module runs)."""
        for node in definitions(self.unit) if root == self.unit.root else []:
            if node.type in self.grammar.definitions:
                name = node.child_by_field_name("name")
                if name is not None:
                    self.functions.setdefault(self.unit.text(name), node)
            elif node.type in ("variable_declarator", "assignment"):  # const f = () => ..., f = lambda x: ...
                value = node.child_by_field_name("value") or node.child_by_field_name("right")
                name = node.child_by_field_name("name") or node.child_by_field_name("left")
                if value is not None and name is not None and value.type in self.grammar.functions:
                    self.functions.setdefault(self.unit.text(name), value)
                    scope = self.enclosing_function(node)
                    if scope is not None:
                        self.local_lambdas.setdefault((scope.id, self.unit.text(name)), value)
            elif node.type == "assignment_expression":  # exports.run = function (...) {...}
                left, value = node.child_by_field_name("left"), node.child_by_field_name("right")
                if value is not None and value.type in self.grammar.functions:
                    target = self.unit.raw_name(left) or ""
                    if target.startswith(("exports.", "module.exports.")):
                        self.functions.setdefault(target.rpartition(".")[2], value)
            elif node.type in ("class_definition", "class_declaration"):
                self._collect_class(node)
            elif node.type == "call_expression":
                self.mark_callbacks(node, self.unit.name(node.child_by_field_name("function")) or "")
        for exported, func in self.functions.items() if not self.python else ():
            if EXPORTED_HANDLERS.fullmatch(exported) and _exported(func):
                self.callbacks.setdefault(func.id, "route")
        for callback, role in self.named_callbacks.items():  # app.get("/x", handler), handler defined apart
            if callback in self.functions:
                self.callbacks.setdefault(self.functions[callback].id, role)

    def enclosing_function(self, node: Node) -> Node | None:
        """The function ``node`` is in (None past MAX_DEPTH levels: bounded work per node)."""
        parent = node.parent
        for _ in range(MAX_DEPTH):
            if parent is None or parent.type in self.grammar.functions:
                return parent
            parent = parent.parent
        return None

    def _collect_class(self, node: Node) -> None:
        name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
        if name is None or body is None:
            return
        methods: dict[str, Node] = {}
        for child in body.named_children:
            definition = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if definition is not None and definition.type in self.grammar.definitions:
                method = definition.child_by_field_name("name")
                if method is not None:
                    methods.setdefault(self.unit.text(method), definition)
        self.classes.setdefault(self.unit.text(name), ClassRef(self, node, self.unit.text(name), methods))

    def analyse_entry(self, func: Node, closure: Env, decorators: Sequence[Node] | None = None) -> None:
        """Analyse a function as something a framework calls: route parameters are untrusted."""
        if func.id in self.analysed:
            return
        self.analysed.add(func.id)
        route = None
        names = [self.unit.name(d) or "" for d in decorators or ()]
        if any(ROUTE_DECORATORS(n) for n in names):
            html = any(HTML_ROUTE(n) for n in names) or any(HTML_RESPONSE.search(self.unit.text(d))
                                                             for d in decorators or ())
            route = "flask" if html else "api"
        env = dict(closure)
        params = self.params(func)
        untrusted = route is not None or (self.python and _is_django_view(params)) or self._resource_method(func)
        converted = {name for d in decorators or () for found in CONVERTED.findall(self._route_path(d))
                     for name in found if name}
        after_request = not any(name in ("request", "req") for name, _, _ in params)
        for name, type_text, default in params:
            if name in ("request", "req"):
                after_request = True
                env[name] = Value(alias=name)  # passed to a helper, it is still the request
                continue
            safe = (
                name in FRAMEWORK_PARAMS
                or type_text in SAFE_PARAM_TYPES
                or name in converted
                or (type_text and FRAMEWORK_TYPES.search(type_text))
                or (default is not None and re.match(r"(?:fastapi\.)?(?:Depends|Security)\b", default))
            )
            if untrusted and after_request and not safe:
                env[name] = Value(frozenset({Origin(f"route parameter {name!r}", "path", func.start_point[0] + 1)}))
            else:
                env[name] = CLEAN
        self.bind_handler_parameters(func, [p[0] for p in params], env)
        self.run_body(func, env, Frame(route=route))

    def _route_path(self, decorator: Node) -> str:
        """The path a route decorator names (``@app.route("/r/<int:id>")``), or ""."""
        arguments = decorator.child_by_field_name("arguments")
        path = constant(self.unit, arguments.named_children[0]) if arguments is not None and \
            arguments.named_children else None
        return path if isinstance(path, str) else ""

    def _resource_method(self, func: Node) -> bool:
        """A Tornado handler's ``get``/``post``/... or a Falcon resource's ``on_get``/...: its arguments
        after ``self`` (Falcon: after ``req, resp``) are the URL's fields."""
        name = func.child_by_field_name("name")
        holder = func.parent.parent if func.parent is not None and func.parent.type == "decorated_definition" \
            else func.parent
        owner = holder.parent if holder is not None else None
        if not self.python or name is None or owner is None or owner.type != "class_definition":
            return False
        method = self.unit.text(name)
        if method.startswith("on_") and method[3:] in HTTP_METHODS:
            return FALCON_IMPORT.search(self.unit.source) is not None
        bases = owner.child_by_field_name("superclasses")
        return method in HTTP_METHODS and bases is not None and "Handler" in self.unit.text(bases) and \
            TORNADO_IMPORT.search(self.unit.source) is not None

    def bind_handler_parameters(self, func: Node, names: list[str], env: Env) -> None:
        """What the caller of a handler passes: an AWS Lambda ``event``, a ``message`` event's data, and
        the request of an Express/Koa/Next route (a destructured ``{ query, body }`` reads it too)."""
        line = func.start_point[0] + 1
        if len(names) >= 2 and names[0] in ("event", "evt") and names[1] in ("context", "_context", "ctx"):
            env[names[0]] = Value(frozenset({Origin("the Lambda event", "event", line, path=self.unit.path)}))
        role = self.callbacks.get(func.id)
        if role == "message" and names:
            data = Value(frozenset({Origin("message event data", "message", line, path=self.unit.path)}))
            env[names[0]] = Value(fields={"data": data})
        parameters = func.child_by_field_name("parameters")
        for param in parameters.named_children if parameters is not None and not self.python else []:
            calls = [d.named_children[0] for d in param.named_children if d.type == "decorator" and d.named_children]
            decorators = [self.unit.raw_name(d) or "" for d in calls]
            pattern = param.child_by_field_name("pattern")
            kind = next((NEST_PARAMETERS[d] for d in decorators if d in NEST_PARAMETERS), None)
            if pattern is not None and pattern.type == "identifier" and kind is not None:  # find(@Query('q') q)
                piped = any(self.unit.raw_name(a.child_by_field_name("constructor") or a) in NEST_PIPES
                            for d in calls for a in (d.child_by_field_name("arguments") or d).named_children)
                env[self.unit.text(pattern)] = CLEAN if piped else Value(frozenset({Origin(
                    f"@{decorators[0]}() parameter", kind, line, path=self.unit.path)}))
        if role != "route" or self.python:
            return
        first = parameters.named_children[0] if parameters is not None and parameters.named_children else None
        if first is not None and first.type != "object_pattern":
            first = first.child_by_field_name("pattern")
        if first is not None and first.type == "object_pattern":
            self.bind(first, CLEAN, env, Frame(), source_name="req")
        elif names and names[0] not in CONTEXT_NAMES:
            env[names[0]] = Value(alias="req")

    def params(self, func: Node) -> list[Param]:
        """(name, type text, default text) of each parameter."""
        node = func.child_by_field_name("parameters")
        if node is None:
            node = func.child_by_field_name("parameter")  # JS arrow function with one bare parameter
            if node is None:
                return []
            return [(self.unit.text(node), None, None)]
        if node.type == "identifier":
            return [(self.unit.text(node), None, None)]
        params = []
        for param in node.named_children:
            name_node = param.child_by_field_name("name") or param.child_by_field_name("pattern") or \
                param.child_by_field_name("left")
            if param.type in ("identifier", "shorthand_property_identifier_pattern"):
                name_node = param
            elif name_node is None and param.named_children:
                name_node = param.named_children[0]
            if name_node is None:
                continue
            type_node = param.child_by_field_name("type")
            default = param.child_by_field_name("value") or param.child_by_field_name("right")
            params.append((
                self.unit.text(name_node),
                self.unit.text(type_node).lstrip(": ").strip() if type_node is not None else None,
                self.unit.text(default) if default is not None else None,
            ))
        return params

    def run_body(self, func: Node, env: Env, frame: Frame) -> None:
        body = func.child_by_field_name("body")
        if body is None:
            return
        if body.type in self.grammar.blocks or body.type == "block":
            self.exec_block(body.named_children, env, frame)
        else:  # arrow function or lambda with an expression body
            frame.returns.append(self.eval(body, env, frame))

    def mark_callbacks(self, node: Node, name: str) -> None:
        """Functions passed to ``app.get(path, handler)`` are route handlers; to
        ``addEventListener("message", handler)``, message handlers."""
        if self.python or not name:
            return
        arguments = node.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        role = "route" if ROUTE_CALLS(name) else None
        if name.endswith("addEventListener") and args and constant(self.unit, args[0]) == "message":
            role = "message"
        if role is not None:
            for arg in args:
                if arg.type in self.grammar.functions:
                    self.callbacks[arg.id] = role
                elif arg.type == "identifier":
                    self.named_callbacks.setdefault(self.unit.text(arg), role)


def _exported(func: Node) -> bool:
    """``export function f`` or ``export const f = () => ...`` (with a type annotation or not)."""
    node = func.parent
    while node is not None and node.type in ("variable_declarator", "lexical_declaration", "variable_declaration"):
        node = node.parent
    return node is not None and node.type == "export_statement"


def _is_django_view(params: list[Param]) -> bool:
    names = [p[0] for p in params]
    return bool(names) and ("request" in names[:2]) and names.index("request") < len(names) - 1
