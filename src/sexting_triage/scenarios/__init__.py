"""Trainers' scenario files, one job per module:

- `format`: the file format (pydantic models, the JSON Schema) and the loaded form;
- `load`: finding and loading files, with every problem as path:line:col;
- `check`: checking a scenario against a rule set, and why a check fails;
- `coverage`: what scenarios exercise against everything reachable (the exact analysis);
- `walkthrough`: the steps a replay shows, from the questionnaire controller;
- `quiz`: the quiz's questions, scoring and a trainer's feedback;
- `library`: the shipped scenario library;
- `save`: a decision written back as a scenario (`--save-scenario`).

Core package: it imports no front end (cli, prompt, render), nor typer, rich or questionary.
"""
