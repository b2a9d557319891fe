"""Snippet extraction: what a reader types or saves, exactly, from a block indented on a page."""

from __future__ import annotations

from relnotes.importing.pages import escape
from relnotes.importing.snippets import Form, Snippet, extract, unique_names


def test_page_indentation_goes_and_inner_indentation_tabs_and_trailing_spaces_stay() -> None:
    snippet = extract(["      if true; then", "      \techo 'a'  ", "          exit 0", "      fi",
                       "      "], 5)
    assert snippet is not None
    assert snippet.text == "if true; then\n\techo 'a'  \n    exit 0\nfi\n"
    assert snippet.line == 5 and snippet.form is Form.SHELL


def test_prompts_go_including_the_no_break_space_after_them() -> None:
    for line in ("~]$\u00a0chmod 755 /usr/bin/x", "~]# chmod 755 /usr/bin/x",
                 "# chmod 755 /usr/bin/x", "$ chmod 755 /usr/bin/x"):
        snippet = extract(["   " + line], 1)
        assert snippet is not None and snippet.text == "chmod 755 /usr/bin/x\n", line
        assert snippet.name == "chmod.sh"


def test_a_cat_listing_becomes_the_file_it_shows_named_after_it() -> None:
    snippet = extract(["  ~]$ cat /etc/modprobe.d/kvm.conf", "  options kvm nx=1", "  "], 1)
    assert snippet == Snippet("kvm.conf", Form.FILE, "options kvm nx=1\n", 1)


def test_a_shebang_is_not_a_prompt() -> None:
    snippet = extract(["#!/bin/sh", "echo hi"], 1)
    assert snippet is not None and snippet.text == "#!/bin/sh\necho hi\n"


def test_kinds_and_names_come_from_the_content() -> None:
    cases = {
        ("<interface type='network'>", "...", "<model type='e1000' />", "</interface>"):
            (Form.XML, "interface-network-e1000.xml"),
        ("<domain type='kvm'>", "<name>g</name>", "</domain>"): (Form.DOMAIN_XML, "domain-kvm-g.xml"),
        ("virsh define /tmp/g.xml ", "virsh start g"): (Form.VIRSH, "virsh-define-start.virsh"),
        ("cp /tmp/a /tmp/b", "vi /tmp/b"): (Form.SHELL, "cp-vi.sh"),
    }
    for lines, (form, name) in cases.items():
        snippet = extract(list(lines), 1)
        assert snippet is not None and (snippet.form, snippet.name) == (form, name), lines
    output = extract(["WARNING: x needs unknown symbol y"], 1, output=True)
    assert output is not None and (output.form, output.name) == (Form.OUTPUT,
                                                                 "warning-output.console")


def test_the_same_text_twice_is_one_file_and_different_texts_never_share_a_name() -> None:
    a = Snippet("virsh-edit.virsh", Form.VIRSH, "virsh edit A\n", 1)
    b = Snippet("virsh-edit.virsh", Form.VIRSH, "virsh edit B\n", 5)
    again = Snippet("virsh-edit.virsh", Form.VIRSH, "virsh edit A\n", 9)
    names = [s.name for s in unique_names([a, b, again])]
    assert names == ["virsh-edit.virsh", "virsh-edit-2.virsh", "virsh-edit.virsh"]


def test_escaping_leaves_no_markup_character_unescaped() -> None:
    assert escape("<b>x</b> & {{ y }} `z` [l](u) $m$") == \
        "\\<b\\>x\\</b\\> \\& \\{\\{ y \\}\\} \\`z\\` \\[l\\](u) \\$m\\$"
    assert escape("1. item") == "1\\. item"
    assert escape("# heading") == "\\# heading"
    assert escape(":::{note}") == "\\:::\\{note\\}"
    assert escape("% comment") == "\\% comment"
    assert escape("line\nbreak\x00") == "line break"


def test_a_listed_file_name_cannot_hide_escape_or_pose_as_a_spec() -> None:
    for path, name in (("/etc/../_guests", "guests"), ("/tmp/.hidden", "hidden"),
                       ("/x/evil.check.toml", "evil-check.toml"), ("/x/a;b$c", "a-b-c")):
        snippet = extract([f"~]$ cat {path}", "content"], 1)
        assert snippet is not None and snippet.name == name, path
