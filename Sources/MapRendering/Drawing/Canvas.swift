import CPangoCairo
import GeometryEngine

/// What a map or sheet is written as, from the extension of the file.
public enum MapFormat: String, Sendable, CaseIterable {
    case pdf, svg, png

    /// The format of `path` (`.pdf`, `.svg`, `.png`, any case), or nil for any other name.
    public init?(path: String) {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        self.init(rawValue: path[path.index(after: dot)...].lowercased())
    }
}

/// Where text is anchored on its point.
enum TextAnchor { case left, center, right }

/// The one drawing path of every map and sheet: a cairo surface (PDF, SVG or PNG) and its
/// context, with pango laying out the text in Noto Sans CJK SC, so that Chinese and Latin are
/// shaped alike and the font is embedded in PDFs. Units are PDF points for PDF and SVG,
/// pixels for PNG; y grows downwards.
///
/// Owns its surface, its context and its pango layout: created in `init`, destroyed in
/// `deinit`, once each.
final class Canvas {
    /// The family pango asks fontconfig for; fonts-noto-cjk installs it.
    static let fontFamily = "Noto Sans CJK SC"

    let format: MapFormat
    private let path: String
    private let surface: OpaquePointer
    private let context: OpaquePointer
    private let layout: OpaquePointer
    private let font: OpaquePointer

    /// A surface of `width` × `height` writing to `path` (PDF and SVG as they are drawn; PNG on
    /// `finish()`).
    /// - Throws: `MapRenderingError` when cairo cannot make the surface (a path it cannot write).
    init(format: MapFormat, path: String, width: Double, height: Double) throws {
        self.format = format
        self.path = path
        switch format {
        case .pdf: surface = cairo_pdf_surface_create(path, width, height)
        case .svg: surface = cairo_svg_surface_create(path, width, height)
        case .png: surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width.rounded(.up)), Int32(height.rounded(.up)))
        }
        // A surface in error is still a surface (cairo's "nil object"): check, then own it.
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            let message = String(cString: cairo_status_to_string(cairo_surface_status(surface)))
            cairo_surface_destroy(surface)
            throw MapRenderingError("cannot create the \(format.rawValue.uppercased()) surface: \(message)", file: path)
        }
        if format == .pdf {
            // A fixed creation date keeps a re-drawn sheet byte-identical to the last one.
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, "2000-01-01T00:00:00Z")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "GridWeave")
        }
        context = cairo_create(surface)
        // pango_cairo_create_layout returns a new reference, released in deinit.
        layout = pango_cairo_create_layout(context)
        font = pango_font_description_from_string(Self.fontFamily)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        fillRect(x: 0, y: 0, width: width, height: height, color: .white)
    }

    deinit {
        pango_font_description_free(font)
        g_object_unref(UnsafeMutableRawPointer(layout))
        cairo_destroy(context)
        cairo_surface_destroy(surface)
    }

    /// Ends the page and starts another of the given size (PDF only; a PNG or SVG has one page).
    func nextPage(width: Double, height: Double) {
        cairo_show_page(context)
        if format == .pdf { cairo_pdf_surface_set_size(surface, width, height) }
        fillRect(x: 0, y: 0, width: width, height: height, color: .white)
    }

    /// Writes what is left and closes the file.
    /// - Throws: `MapRenderingError` when cairo failed while drawing or writing.
    func finish() throws {
        cairo_surface_flush(surface)
        if format == .png {
            // returns CAIRO_STATUS_SUCCESS or the write error.
            let status = cairo_surface_write_to_png(surface, path)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw MapRenderingError("cannot write the PNG: \(String(cString: cairo_status_to_string(status)))", file: path)
            }
        }
        cairo_surface_finish(surface)
        let status = cairo_status(context) != CAIRO_STATUS_SUCCESS ? cairo_status(context) : cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw MapRenderingError("cannot draw the \(format.rawValue.uppercased()): \(String(cString: cairo_status_to_string(status)))", file: path)
        }
    }

    // MARK: Paths

    /// Adds the rings of `polygons` (closed) and `lines` (open) to the current path.
    func addPath(rings: [[XY]], closed: Bool) {
        for ring in rings where ring.count >= 2 {
            cairo_move_to(context, ring[0].x, ring[0].y)
            for p in ring.dropFirst() { cairo_line_to(context, p.x, p.y) }
            if closed { cairo_close_path(context) }
        }
    }

    /// Fills the current path (even-odd, so holes stay empty) and clears it unless `keep`.
    func fill(_ color: RGBColor, alpha: Double = 1, keep: Bool = false) {
        setColor(color, alpha: alpha)
        cairo_set_fill_rule(context, CAIRO_FILL_RULE_EVEN_ODD)
        keep ? cairo_fill_preserve(context) : cairo_fill(context)
    }

    /// Strokes the current path and clears it.
    func stroke(_ color: RGBColor, width: Double, dash: [Double] = [], alpha: Double = 1) {
        setColor(color, alpha: alpha)
        cairo_set_line_width(context, width)
        cairo_set_dash(context, dash, Int32(dash.count), 0)
        cairo_stroke(context)
    }

    func fillRect(x: Double, y: Double, width: Double, height: Double, color: RGBColor) {
        cairo_rectangle(context, x, y, width, height)
        fill(color)
    }

    func strokeRect(x: Double, y: Double, width: Double, height: Double, color: RGBColor, lineWidth: Double = 0.8) {
        cairo_rectangle(context, x, y, width, height)
        stroke(color, width: lineWidth)
    }

    func line(_ points: [XY], color: RGBColor, width: Double, dash: [Double] = []) {
        addPath(rings: [points], closed: false)
        stroke(color, width: width, dash: dash)
    }

    /// Draws only inside the rectangle until `unclip()`.
    func clip(x: Double, y: Double, width: Double, height: Double) {
        cairo_save(context)
        cairo_rectangle(context, x, y, width, height)
        cairo_clip(context)
    }

    func unclip() { cairo_restore(context) }

    private func setColor(_ color: RGBColor, alpha: Double) {
        cairo_set_source_rgba(context, Double(color.red) / 255, Double(color.green) / 255, Double(color.blue) / 255, alpha)
    }

    // MARK: Text

    /// Sets the layout to `text` at `size` units; returns its logical width and height.
    @discardableResult
    private func layOut(_ text: String, size: Double, bold: Bool, maxWidth: Double?) -> (width: Double, height: Double) {
        pango_font_description_set_absolute_size(font, size * Double(PANGO_SCALE))
        pango_font_description_set_weight(font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_layout_set_font_description(layout, font)
        pango_layout_set_width(layout, maxWidth.map { Int32($0 * Double(PANGO_SCALE)) } ?? -1)
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        pango_layout_set_text(layout, text, -1)
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, nil, &logical)
        return (Double(logical.width) / Double(PANGO_SCALE), Double(logical.height) / Double(PANGO_SCALE))
    }

    /// The size `text` takes at `size` units (wrapped at `maxWidth` when given).
    func measure(_ text: String, size: Double, bold: Bool = false, maxWidth: Double? = nil) -> (width: Double, height: Double) {
        layOut(text, size: size, bold: bold, maxWidth: maxWidth)
    }

    /// Writes `text` with its top at `point.y`, anchored at `point.x`, turned by `angle`
    /// radians about that point; a white halo keeps it legible over the map.
    /// - Returns: the height the text took.
    @discardableResult
    func text(_ text: String, at point: XY, size: Double, color: RGBColor = .black, bold: Bool = false,
              anchor: TextAnchor = .left, halo: Bool = false, angle: Double = 0, maxWidth: Double? = nil) -> Double {
        let (width, height) = layOut(text, size: size, bold: bold, maxWidth: maxWidth)
        let dx: Double = switch anchor {
        case .left: 0
        case .center: -width / 2
        case .right: -width
        }
        cairo_save(context)
        cairo_translate(context, point.x, point.y)
        if angle != 0 { cairo_rotate(context, angle) }
        cairo_move_to(context, dx, 0)
        pango_cairo_update_layout(context, layout)
        if halo {
            pango_cairo_layout_path(context, layout)
            setColor(.white, alpha: 0.85)
            cairo_set_line_width(context, max(size / 4, 1))
            cairo_set_dash(context, [], 0, 0)
            cairo_stroke(context)
            cairo_move_to(context, dx, 0)
        }
        setColor(color, alpha: 1)
        pango_cairo_show_layout(context, layout)
        cairo_restore(context)
        return height
    }
}

@available(*, unavailable) extension Canvas: Sendable {}
