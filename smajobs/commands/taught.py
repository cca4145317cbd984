"""`smajobs taught-links list|add|remove`: the links consultants taught the matcher (issue 13,
data.taught_links), as the admin page "Lærte koblinger" shows them. Changes are audited as the
CLI's. Registered in smajobs/cli.py."""
from __future__ import annotations

import click

from core.errors import Invalid
from smajobs.context import CliError, Context, invalid_error, pass_context


@click.group("taught-links")
def taught_links_group() -> None:
    """Lærte koblinger: ord, som matchet kobler til et arbejdsfelt for alle borgere."""


@taught_links_group.command("list")
@pass_context
def list_command(context: Context) -> None:
    """Vis alle lærte koblinger, nyeste først (id, ord, felt, hvem, hvornår; adskilt af tabulator)."""
    from data import taught_links
    from data.audit import local_time
    from matcher.taught import field_label
    links = taught_links.list_links(context.db)
    if not links:
        click.echo("Ingen lærte koblinger.")
        return
    click.echo("\t".join(("Id", "Ord", "Arbejdsfelt", "Lært af", "Tidspunkt")))
    for link in links:
        click.echo("\t".join((str(link["id"]), link["term"], f"{field_label(link['field'])} ({link['field']})",
                              link["created_by_email"] or "–", local_time(link["created_at"]))))


@taught_links_group.command("add")
@click.argument("term")
@click.argument("field")
@pass_context
def add_command(context: Context, term: str, field: str) -> None:
    """Lær matchet, at ORD passer til arbejdsfeltet FELT (fx: smajobs taught-links add espresso servering).

    Felterne står i matcher/fields_hand.csv; `smajobs taught-links list` viser de lærte."""
    from data import taught_links
    from matcher.taught import field_label
    try:
        link, created = taught_links.add(context.db, term, field, created_by=None)
    except Invalid as error:
        raise invalid_error(error) from None
    what = f"»{link['term']}« ↔ {field_label(link['field'])}"
    click.echo(f"Koblingen {what} er gemt (id {link['id']})." if created else f"Koblingen {what} findes allerede.")


@taught_links_group.command("remove")
@click.argument("link_id", type=int)
@pass_context
def remove_command(context: Context, link_id: int) -> None:
    """Fjern den lærte kobling med id LINK_ID."""
    from data import taught_links
    from matcher.taught import field_label
    removed = taught_links.remove(context.db, link_id)
    if removed is None:
        raise CliError(f"ingen lært kobling med id {link_id}. Se dem med: smajobs taught-links list")
    click.echo(f"Koblingen »{removed['term']}« ↔ {field_label(removed['field'])} er fjernet.")


COMMANDS = (taught_links_group,)
