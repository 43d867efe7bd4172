"""The new-machine template in JSONata (the JSONPath one is the form's first template).

Like the AWS console's JSONata starting point: the query language set at the top level,
a variable assigned in one state and read in the next, and `$states.input` in an
expression (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
"""

from __future__ import annotations

JSONATA_TEMPLATE = """{
  "Comment": "A new state machine (JSONata)",
  "QueryLanguage": "JSONata",
  "StartAt": "Hello",
  "States": {
    "Hello": {
      "Type": "Pass",
      "Assign": {
        "greeting": "Hello"
      },
      "Output": {
        "name": "{% $exists($states.input.name) ? $states.input.name : 'world' %}"
      },
      "Next": "Greet"
    },
    "Greet": {
      "Type": "Pass",
      "Output": "{% $greeting & ', ' & $states.input.name & '!' %}",
      "End": true
    }
  }
}
"""
