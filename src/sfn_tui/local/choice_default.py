"""A Choice state's own Assign and Output apply only when it takes its Default.

AWS (Choice workflow state, https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html;
Passing data between states with variables): a matching rule's ``Assign``/``Output`` are
used; the state's own are for the Default transition. moto decided "Default was taken"
by comparing the next state's name with the Default's, so a rule whose ``Next`` is also
the Default state applied both Assigns, the state's last.
"""

from __future__ import annotations

import threading
from importlib import import_module
from typing import Any

from sfn_tui.local import patches

_installed = False
_rules = threading.local()  # .matched: a rule of the Choice being evaluated matched


def install() -> None:
    global _installed
    patches.check_moto()
    if _installed:
        return
    _installed = True
    choice = "moto.stepfunctions.parser.asl.component.state.choice"
    StateChoice: Any = import_module(f"{choice}.state_choice").StateChoice
    ChoiceRule: Any = import_module(f"{choice}.choice_rule").ChoiceRule
    original_rule = ChoiceRule._eval_body
    original_state = StateChoice._eval_state

    def rule_body(self: Any, env: Any) -> None:
        original_rule(self, env)
        if env.stack[-1] is True:
            _rules.matched = True

    def eval_state(self: Any, env: Any) -> None:
        _rules.matched = False
        original_state(self, env)

    def eval_state_output(self: Any, env: Any) -> None:
        next_state_name: str = env.stack.pop()
        if not getattr(_rules, "matched", False):
            if self.assign_decl:
                self.assign_decl.eval(env=env)
            if self.output:
                self.output.eval(env=env)
        if self._is_language_query_jsonpath():
            if self.output_path:
                self.output_path.eval(env=env)
            else:
                env.states.reset(input_value=env.stack.pop())
        env.next_state_name = next_state_name

    ChoiceRule._eval_body = rule_body
    StateChoice._eval_state = eval_state
    StateChoice._eval_state_output = eval_state_output
