"""Views: one view model per result (`build`), rendered for the terminal (`rich`) and HTML (`html`).

Nothing here computes a metric or solves an LP: the builders arrange figures the caller passes.
"""
