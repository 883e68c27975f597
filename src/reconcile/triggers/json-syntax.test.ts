import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "./json-syntax.js";

describe("findJsonSyntaxError", () => {
  it.each([
    ["[1,]", 3, 'a value: remove the trailing ","'],
    ['[{"a":1,}]', 8, 'a property name: remove the trailing ","'],
    ["[{'from': 1}]", 2, "a double-quoted property name"],
    ["['a']", 1, "a double-quoted string (JSON does not allow single quotes)"],
    ['[{"a" 1}]', 6, '":" after the property name'],
    ['[{"a": tru}]', 7, "a value (object, array, string, number, true, false, null)"],
    ['[{"a":1} {"b":2}]', 9, '"," or "]" after the array element'],
    ['{"a":1 "b":2}', 7, '"," or "}" after the property value'],
    ['["abc', 5, 'a closing "'],
    ['["a\\qb"]', 3, 'a closing " or a valid escape (\\" \\\\ \\n \\uXXXX)'],
    ["[1] x", 4, "end of input after the JSON value"],
    ["", 0, "a value (object, array, string, number, true, false, null)"],
    ["[", 1, "a value (object, array, string, number, true, false, null)"],
  ])("%j fails at %i expecting %s", (text, position, expected) => {
    const error = findJsonSyntaxError(text);
    expect(error).toMatchObject({ position, expected });
  });

  it("counts lines and columns from 1", () => {
    const text = '[\n  {"fieldPath": "x",}\n]';
    expect(findJsonSyntaxError(text)).toMatchObject({ position: 22, line: 2, column: 21 });
  });

  it.each([
    "[]",
    "{}",
    ' [ {"a": [1, -2.5e3, true, false, null, "x\\"y\\u00e9"]} ] ',
    '[{"from":{"kind":"ImageStreamTag","name":"app:latest"},"fieldPath":"spec.x","paused":false}]',
  ])("accepts valid JSON %j", (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  it("agrees with JSON.parse on which texts are valid", () => {
    const samples = ["01", "1.", "-", "1e", '"\t"', "[1 2]", "nul", "{,}", "[,1]", '{"a"}'];
    for (const text of samples) {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      expect({ text, valid: findJsonSyntaxError(text) === undefined }).toEqual({ text, valid });
    }
  });
});
