"""Per-language tables: which tree-sitter node types are which statement or expression, and their fields.

The interpreter dispatches on the kinds named here ("if", "call", "attribute", ...), never on a
grammar's own node names, so a new language is a new ``Grammar`` plus its sources and sinks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Grammar:
    """One tree-sitter grammar as the taint interpreter sees it."""

    name: str
    statements: Mapping[str, str]  # node type -> statement kind
    expressions: Mapping[str, str]  # node type -> expression kind
    inert: frozenset[str]  # statements without data flow (imports, pass, comments)
    definitions: frozenset[str]  # named function definitions collected per file
    functions: frozenset[str]  # every node that is a function value (lambdas, arrows, methods)
    blocks: frozenset[str]  # statement lists
    attribute: str  # the attribute-access node type
    attribute_field: str  # its field naming the attribute
    subscript: str  # the item-access node type
    subscript_fields: tuple[str, str]  # (container field, key field)
    calls: frozenset[str]
    self_names: frozenset[str]  # the receiver inside a method
    keyword_arguments: bool  # parameters can be passed by name
    bare_keys: frozenset[str]  # object literal keys that are names, not expressions
    interpolations: frozenset[str]  # parts of a string that are expressions
    spreads: frozenset[str]  # `*xs` / `...xs` in a literal


_COMMON_EXPRESSIONS = {"identifier": "identifier", "string": "string", "parenthesized_expression": "wrapper"}

PYTHON = Grammar(
    name="python",
    statements={
        "expression_statement": "expression", "return_statement": "return", "raise_statement": "raise",
        "function_definition": "function", "decorated_definition": "decorated", "class_definition": "class",
        "if_statement": "if", "for_statement": "loop", "while_statement": "loop", "with_statement": "with",
        "try_statement": "try", "match_statement": "match",
    },
    expressions={
        **_COMMON_EXPRESSIONS,
        "attribute": "attribute", "subscript": "subscript", "concatenated_string": "concatenated",
        "binary_operator": "binary", "boolean_operator": "binary", "comparison_operator": "comparison",
        "not_operator": "not", "unary_operator": "not", "conditional_expression": "conditional",
        "list": "container", "tuple": "container", "set": "container", "expression_list": "container",
        "dictionary": "mapping", "assignment": "assignment", "augmented_assignment": "assignment",
        "named_expression": "assignment", "list_comprehension": "comprehension",
        "generator_expression": "comprehension", "set_comprehension": "comprehension",
        "dictionary_comprehension": "comprehension", "await": "wrapper", "keyword_argument": "keyword",
        "call": "call",
    },
    inert=frozenset({"comment", "import_statement", "import_from_statement", "future_import_statement",
                     "pass_statement", "type_alias_statement", "global_statement", "nonlocal_statement",
                     "break_statement", "continue_statement"}),
    definitions=frozenset({"function_definition"}),
    functions=frozenset({"function_definition", "lambda"}),
    blocks=frozenset({"block", "module"}),
    attribute="attribute",
    attribute_field="attribute",
    subscript="subscript",
    subscript_fields=("value", "subscript"),
    calls=frozenset({"call"}),
    self_names=frozenset({"self", "cls"}),
    keyword_arguments=True,
    bare_keys=frozenset(),
    interpolations=frozenset({"interpolation"}),
    spreads=frozenset({"list_splat", "parenthesized_list_splat", "dictionary_splat"}),
)

JAVASCRIPT = Grammar(
    name="javascript",
    statements={
        "expression_statement": "expression", "return_statement": "return", "throw_statement": "raise",
        "function_declaration": "function", "generator_function_declaration": "function",
        "class_declaration": "class", "if_statement": "if", "for_statement": "loop", "for_in_statement": "loop",
        "while_statement": "loop", "do_statement": "loop", "try_statement": "try",
        "lexical_declaration": "declaration", "variable_declaration": "declaration",
        "switch_statement": "match",
    },
    expressions={
        **_COMMON_EXPRESSIONS,
        "member_expression": "attribute", "subscript_expression": "subscript", "template_string": "string",
        "binary_expression": "binary", "unary_expression": "not", "ternary_expression": "conditional",
        "array": "container", "object": "mapping", "assignment_expression": "assignment",
        "augmented_assignment_expression": "assignment", "await_expression": "wrapper", "as_expression": "wrapper",
        "satisfies_expression": "wrapper", "non_null_expression": "wrapper", "type_assertion": "wrapper",
        "call_expression": "call", "new_expression": "call",
    },
    inert=frozenset({"comment", "import_statement", "empty_statement", "debugger_statement", "hash_bang_line",
                     "break_statement", "continue_statement"}),
    definitions=frozenset({"function_declaration", "generator_function_declaration", "method_definition"}),
    functions=frozenset({"function_declaration", "generator_function_declaration", "function_expression",
                         "function", "arrow_function", "method_definition", "generator_function"}),
    blocks=frozenset({"statement_block", "class_body", "program"}),
    attribute="member_expression",
    attribute_field="property",
    subscript="subscript_expression",
    subscript_fields=("object", "index"),
    calls=frozenset({"call_expression", "new_expression"}),
    self_names=frozenset({"this"}),
    keyword_arguments=False,
    bare_keys=frozenset({"property_identifier", "number"}),
    interpolations=frozenset({"template_substitution"}),
    spreads=frozenset({"spread_element"}),
)

GRAMMARS = {grammar.name: grammar for grammar in (PYTHON, JAVASCRIPT)}
