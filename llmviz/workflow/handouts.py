"""The PowerPoint deck and the PDF handout of ``llmviz slides``, written from each slide's clip,
finished picture and notes.

* ``deck.pptx``: a slide per section, its clip filling the slide with the section's finished
  picture as the clip's poster, starting by itself (the timing entry PowerPoint writes for
  "Start: Automatically"), and the narration as the slide's notes.
* ``deck.pdf``: a page per slide with the chapter's title, the picture, "Slide N of T" and the
  section's name, and the notes under them (selectable text).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_pptx", "write_pdf", "autoplay_timing"]

#: EMU (PowerPoint's unit, 914,400 to the inch) per pixel at 96 dpi: a slide is the size of the
#: render's frames.
EMU_PER_PIXEL = 9525
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def autoplay_timing(shape_id: int, duration_ms: int) -> str:
    """A slide's ``<p:timing>`` that plays the video shape ``shape_id`` as the slide opens:
    the main sequence's first effect starts with the sequence itself (``onBegin``) and calls
    ``playFrom(0.0)`` on the video, as PowerPoint writes it for a clip set to start
    automatically (python-pptx writes only the media node, which waits for a click)."""
    return f"""<p:timing xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main">
<p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
<p:seq concurrent="1" nextAc="seek"><p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
<p:par><p:cTn id="3" fill="hold"><p:stCondLst><p:cond delay="indefinite"/>
<p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="4" fill="hold"><p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:par><p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="afterEffect">
<p:stCondLst><p:cond delay="0"/></p:stCondLst><p:childTnLst>
<p:cmd type="call" cmd="playFrom(0.0)"><p:cBhvr><p:cTn id="6" dur="{duration_ms}" fill="hold"/>
<p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl></p:cBhvr></p:cmd>
</p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par></p:childTnLst></p:cTn></p:par>
</p:childTnLst></p:cTn>
<p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
<p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst>
</p:seq>
<p:video><p:cMediaNode vol="80000"><p:cTn id="7" fill="hold" display="0"><p:stCondLst>
<p:cond delay="indefinite"/></p:stCondLst></p:cTn><p:tgtEl><p:spTgt spid="{shape_id}"/></p:tgtEl>
</p:cMediaNode></p:video>
</p:childTnLst></p:cTn></p:par></p:tnLst></p:timing>""".replace("\n", "")


def _seconds(clip: Path) -> float:
    from llmviz.workflow.render import video_duration

    return video_duration(clip) or 1.0


def write_pptx(slides: list[dict], folder: Path, dest: Path, title: str) -> Path:
    """``slides``: ``{"name", "png", "clip", "notes"}`` per slide (files in ``folder``)."""
    from lxml import etree
    from PIL import Image
    from pptx import Presentation

    with Image.open(folder / slides[0]["png"]) as first:
        width, height = (EMU_PER_PIXEL * n for n in first.size)
    deck = Presentation()
    deck.slide_width, deck.slide_height = width, height
    deck.core_properties.title = title
    blank = deck.slide_layouts[6]
    for s in slides:
        slide = deck.slides.add_slide(blank)
        movie = slide.shapes.add_movie(
            str(folder / s["clip"]),
            0,
            0,
            width,
            height,
            poster_frame_image=str(folder / s["png"]),
            mime_type="video/mp4",
        )
        old = slide.element.find(
            "{http://schemas.openxmlformats.org/presentationml/2006/main}timing"
        )
        if old is not None:
            slide.element.remove(old)
        timing = etree.fromstring(
            autoplay_timing(movie.shape_id, int(1000 * _seconds(folder / s["clip"])))
        )
        slide.element.append(timing)
        slide.notes_slide.notes_text_frame.text = s["notes"]
    deck.save(str(dest))
    return dest


def write_pdf(slides: list[dict], folder: Path, dest: Path, title: str) -> Path:
    """A handout: a page per slide with the title, the picture, its number and its notes."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph

    font = "Helvetica"
    if _DEJAVU.is_file():  # the notes' tokens (␣) and arrows need a Unicode font
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(_DEJAVU)))
        font = "DejaVuSans"
    width, height = landscape(A4)
    margin = 36
    pdf = canvas.Canvas(str(dest), pagesize=(width, height))
    pdf.setTitle(title)
    pdf.setSubject("slides with speaker notes, made by llmviz")
    notes_style = ParagraphStyle("notes", fontName=font, fontSize=10.5, leading=14)
    for k, s in enumerate(slides, 1):
        pdf.setFont(font, 10)
        pdf.drawString(margin, height - margin, title)
        pdf.drawRightString(width - margin, height - margin, f"Slide {k} of {len(slides)}")
        picture = ImageReader(str(folder / s["png"]))
        pw, ph = picture.getSize()
        box_w = width * 0.62
        box_h = box_w * ph / pw
        top = height - margin - 14
        pdf.drawImage(picture, margin, top - box_h, box_w, box_h)
        pdf.setFont(font, 13)
        pdf.drawString(margin, top - box_h - 20, f"{k}. {s['name']}")
        notes = Paragraph(escape(s["notes"]) or "(no narration)", notes_style)
        side = width - 3 * margin - box_w
        _, used = notes.wrap(side, box_h)
        if used <= box_h:  # beside the picture when it fits there
            notes.drawOn(pdf, 2 * margin + box_w, top - used)
        else:
            full = width - 2 * margin
            _, used = notes.wrap(full, top - box_h - 40 - margin)
            notes.drawOn(pdf, margin, top - box_h - 34 - used)
        pdf.showPage()
    pdf.save()
    return dest
