"""Office XML in uploads is parsed by defusedxml with DTDs forbidden: an external entity or an
entity-expansion bomb in word/document.xml is refused by the XML layer, however it is encoded,
and a normal document passes."""
import io
import zipfile

import pytest

from bot.serve import uploads
from bot.serve.uploads import UploadRejected, check_upload

BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
                  + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    '<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')


def docx_with(document_xml: bytes) -> bytes:
    """A real .docx (python-docx's template) whose word/document.xml is replaced."""
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as z:
        for item in source.infolist():
            z.writestr(item, document_xml if item.filename == "word/document.xml" else source.read(item))
    return result.getvalue()


@pytest.fixture
def parsed(monkeypatch):
    """The parts defusedxml refused, so a test can tell the XML layer refused them."""
    refused: list[str] = []
    real = uploads._declares_entities

    def spy(archive, member):
        verdict = real(archive, member)
        if verdict:
            refused.append(member.filename)
        return verdict

    monkeypatch.setattr(uploads, "_declares_entities", spy)
    return refused


@pytest.mark.parametrize("xml, encoding", [
    (BILLION_LAUGHS, "utf-8"), (EXTERNAL, "utf-8"),
    # the same attacks in UTF-16: no byte sequence "<!DOCTYPE" to scan for, but the parser reads them
    (BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1), "utf-16"),
    (EXTERNAL.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>', 1), "utf-16"),
])
def test_entities_in_word_document_xml_are_refused_by_the_xml_layer(parsed, xml, encoding):
    with pytest.raises(UploadRejected) as err:
        check_upload("report.docx", docx_with(xml.encode(encoding)), 50)
    assert err.value.status == 415 and "DOCTYPE" in str(err.value)
    assert parsed == ["word/document.xml"]


def test_a_plain_word_document_passes(parsed):
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>2020年规模达到了1.5亿元。&lt;!DOCTYPE&gt; is only text here</w:t></w:r></w:p>'
           '</w:body></w:document>')
    assert check_upload("report.docx", docx_with(xml.encode()), 50) == "report.docx"
    assert parsed == []


def test_an_image_upload_is_accepted_as_an_image_and_a_fake_one_refused():
    """A PNG or JPEG (a photo of a table) is read by OCR; a text file named .png is not an image."""
    import PIL.Image

    for ext, fmt in ((".png", "PNG"), (".jpg", "JPEG")):
        out = io.BytesIO()
        PIL.Image.new("RGB", (40, 20), "white").save(out, fmt)
        assert uploads.sniff(f"table{ext}", out.getvalue())[0] == "image"
        assert check_upload(f"table{ext}", out.getvalue(), 50).endswith(ext)
    with pytest.raises(UploadRejected, match="named .png but its content is text"):
        check_upload("table.png", "营业收入 12.5亿元".encode(), 50)
