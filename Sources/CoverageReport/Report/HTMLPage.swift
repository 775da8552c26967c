import DistrictModel
import Foundation
import GeometryEngine
import MapRendering

/// The report page a planner opens: headline numbers, a map of the grids with every finding
/// drawn on it (inline SVG; drag to pan, wheel or buttons to zoom), and a table per kind of
/// finding whose rows zoom the map to their place. Self-contained: no request leaves the page.
/// Deterministic: the same result gives the same bytes.
struct HTMLPage {
    let result: CoverageResult
    /// Width of the map in SVG units; the page scales it to the window.
    let mapWidth = 1000.0

    private var e: (String) -> String { SVGText.escape }
    /// The English or the Chinese, as `--lang` asks.
    private func t(_ english: String, _ chinese: String) -> String { result.options.language == .zh ? chinese : english }
    private func n(_ v: Double) -> String { SVGText.number(v) }

    func render() -> String {
        let title = t("Coverage report: ", "网格覆盖检查报告：") + (result.gridsPath as NSString).lastPathComponent
        var out = """
            <!DOCTYPE html>
            <html lang="\(t("en", "zh-CN"))">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(Self.css)</style>
            </head>
            <body>
            <header><h1>\(e(title))</h1>
            <p class="inputs">\(t("Grids", "网格")) <code>\(e(result.gridsPath))</code>\
            \(result.districtPath.map { " · \(t("district", "辖区"))  <code>\(e($0))</code>" } ?? "")\
            \(result.eventsPath.map { " · \(t("events", "事件")) <code>\(e($0))</code>" } ?? "") · \(t("measured in", "量算坐标系")) EPSG:\(result.epsg)</p>
            </header>

            """
        out += headline()
        out += mapSection()
        out += tables()
        out += notes()
        out += "<script>\(Self.script)</script>\n</body>\n</html>\n"
        return out
    }

    // MARK: Headline

    func headline() -> String {
        let s = result.statistics
        func card(_ label: String, _ value: String, _ extra: String = "") -> String {
            "<div class=\"card\(extra)\"><div class=\"v\">\(e(value))</div><div class=\"l\">\(e(label))</div></div>"
        }
        let grouped = { (v: Int) -> String in
            let digits = String(v)
            var out = ""
            for (i, c) in digits.reversed().enumerated() {
                if i > 0 && i % 3 == 0 { out.append(",") }
                out.append(c)
            }
            return String(out.reversed())
        }
        var out = "<section class=\"headline\">\n"
        out += card(t("communities", "社区"), grouped(s.communities))
        out += card(t("grids", "网格"), grouped(s.grids))
        out += card(t("micro-grids", "微网格"), grouped(s.microGrids))
        out += card(t("households", "户数"), grouped(s.households))
        out += card(result.districtPath == nil ? t("covered (within the grids' outline)", "覆盖率（网格外轮廓内）") : t("of the communities in a grid", "社区面积在网格内的比例"),
                    String(format: "%.2f%%", s.coveragePercent))
        out += card(t("findings", "问题"), grouped(result.findings.count), result.findings.isEmpty ? " ok" : " bad")
        out += "</section>\n<nav class=\"kinds\">"
        if result.findings.isEmpty {
            out += "<span class=\"clean\">\(t("No findings: every check passed.", "没有问题：所有检查均通过。"))</span>"
        }
        for (kind, count) in result.counts where count > 0 {
            out += "<a class=\"chip\" href=\"#t-\(kind.rawValue)\"><i style=\"background:\(kind.color)\"></i>\(count) \(e(kind.rawValue))</a> "
        }
        out += "</nav>\n"
        return out
    }

    // MARK: Map

    func mapSection() -> String {
        let map = result.map
        let world = (map.extent ?? Envelope(minX: 0, minY: 0, maxX: 1, maxY: 1)).expanded(by: 10)
        let frame = MapFrame(world: world, width: mapWidth, margin: 0)
        let palette = HouseholdPalette(bounds: map.bounds)
        let sizes = map.grids.compactMap { $0.geometry.envelope.map { min($0.width, $0.height) } }.sorted()
        let typical = sizes.isEmpty ? 100 : sizes[sizes.count / 2]
        let fontSize = min(max(typical * frame.scale * 0.22, 0.8), 14)

        var svg = "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(n(frame.width)) \(n(frame.height))\" "
        svg += "data-fs=\"\(n(fontSize))\" preserveAspectRatio=\"xMidYMid meet\">\n"
        svg += districtLayers(frame: frame, world: world)
        svg += "<g class=\"grids\">\n"
        for grid in map.grids {
            let households = grid.households.map { "\($0) households" } ?? "households unknown"
            let kind = grid.kind.isEmpty ? "" : ", \(grid.kind)"
            svg += "<path d=\"\(SVGText.pathData(grid.geometry, frame: frame))\" fill=\"\(palette.color(kind: grid.kind, households: grid.households).hex)\">"
            svg += "<title>grid \(e(grid.code))\(e(kind)): \(e(households))</title></path>\n"
        }
        svg += "</g>\n<g class=\"micro\">\n"
        for micro in map.microGrids {
            svg += "<path d=\"\(SVGText.pathData(micro.geometry, frame: frame))\"/>\n"
        }
        svg += "</g>\n<g class=\"outline\">\n"
        for grid in map.grids {
            svg += "<path d=\"\(SVGText.pathData(grid.geometry, frame: frame))\"/>\n"
        }
        svg += "</g>\n<g class=\"labels\" font-size=\"\(n(fontSize))\">\n"
        for grid in map.grids {
            guard let anchor = GridMap.labelPoint(grid.geometry) else { continue }
            let p = frame.point(anchor)
            svg += "<text x=\"\(n(p.x))\" y=\"\(n(p.y))\" dy=\".35em\"><title>\(e(grid.code))</title>\(e(grid.shortCode))</text>\n"
        }
        svg += "</g>\n<g class=\"findings\">\n"
        for finding in result.findings {
            guard let geometry = finding.geometry, let box = geometry.envelope else { continue }
            let topLeft = frame.point(XY(box.minX, box.maxY))
            let color = finding.kind.color
            svg += "<g id=\"f-\(e(finding.id))\" class=\"f k-\(finding.kind.rawValue)\" data-b=\"\(n(topLeft.x)) \(n(topLeft.y)) "
            svg += "\(n(box.width * frame.scale)) \(n(box.height * frame.scale))\" style=\"--c:\(color)\">"
            svg += "<title>\(e(finding.id)): \(e(t(finding.detail, finding.chineseDetail)))</title>"
            switch geometry.dimension {
            case 2:
                // Findings about a whole grid are outlined, so that its household colour stays visible.
                let fill = finding.kind == .householdsOutOfRange || finding.kind == .invalidGeometry ? "none" : color
                svg += "<path class=\"a\" d=\"\(SVGText.pathData(geometry, frame: frame))\" fill=\"\(fill)\"/>"
            case 1:
                svg += "<path class=\"l\" d=\"\(SVGText.pathData(geometry, frame: frame))\"/>"
            default: break
            }
            if finding.kind != .householdsOutOfRange {
                let c = frame.point(box.center)
                svg += "<circle class=\"m\" cx=\"\(n(c.x))\" cy=\"\(n(c.y))\" r=\"4\"/>"
            }
            svg += "</g>\n"
        }
        svg += "</g>\n</svg>\n"

        var legend = "<div class=\"legend\"><h3>\(t("Households per grid", "网格户数"))</h3>"
        for entry in palette.entries(chinese: result.options.language == .zh) {
            legend += "<div><i style=\"background:\(entry.color.hex)\"></i>\(e(entry.label))</div>"
        }
        legend += "<h3>\(t("Layers", "图层")) <small>(\(t("tick to show", "勾选显示")))</small></h3>"
        var layers = [("grids", "<i style=\"background:\(palette.entries[3].color.hex)\"></i>" + t("grids (fill)", "网格（填色）")),
                      ("outline", "<i class=\"line\"></i>" + t("grid outline", "网格边界")),
                      ("micro", "<i class=\"line dash\"></i>" + t("micro-grid outline", "微网格边界")),
                      ("labels", t("grid codes", "网格编码"))]
        if map.district != nil {
            layers.insert(("roads", "<i class=\"line road\"></i>" + t("roads", "道路") + " (\(map.district?.roads.count ?? 0))"), at: 0)
            layers.insert(("bld", "<i class=\"bld\"></i>" + t("buildings", "楼栋") + " (\(map.district?.buildings.count ?? 0))"), at: 0)
        }
        for (layer, label) in layers {
            legend += "<label><input type=\"checkbox\" checked data-layer=\"\(layer)\">\(label)</label>"
        }
        let present = result.counts.filter { $0.count > 0 && $0.kind != .invalidEvent }
        if !present.isEmpty {
            legend += "<h3>\(t("Findings", "问题")) <small>(\(t("tick to show", "勾选显示")))</small></h3>"
            for (kind, count) in present {
                legend += "<label><input type=\"checkbox\" checked data-k=\"\(kind.rawValue)\"><i style=\"background:\(kind.color)\"></i>\(e(kind.rawValue)) (\(count))</label>"
            }
        }
        let bar = ScaleBar(metresPerUnit: 1 / frame.scale, maxUnits: 150)
        legend += "<p class=\"hint\">" + t("Drag to pan, wheel or buttons to zoom; click a row of a table to go to its finding. ",
                                           "拖动平移，滚轮或按钮缩放；点击表格中的一行可定位到该问题。")
        legend += t("At full view, \(e(bar.label)) is \(n(bar.units / frame.width * 100))% of the map's width.",
                    "全图时 \(e(bar.label)) 为地图宽度的 \(n(bar.units / frame.width * 100))%。") + "</p></div>"

        return """
            <section class="mapbox">
            <div class="mapwrap"><div class="tools"><button id="zin" title="Zoom in">+</button><button id="zout" title="Zoom out">−</button>\
            <button id="zhome" title="Whole map">⌂</button></div>
            \(svg)</div>
            \(legend)
            </section>

            """
    }

    /// The district's roads (by class, their width on the ground) and buildings, under the
    /// grids; those outside the map's world are left out.
    func districtLayers(frame: MapFrame, world: Envelope) -> String {
        guard let district = result.map.district else { return "" }
        var svg = "<g class=\"roads\">\n"
        let width: [RoadClass: Double] = [.arterial: 24, .secondary: 16, .branch: 10, .service: 6, .path: 2]
        for road in district.roads.sorted(by: { ($0.roadClass ?? .path) > ($1.roadClass ?? .path) }) {
            guard let box = road.geometry.envelope, box.intersects(world) else { continue }
            let metres = width[road.roadClass ?? .path] ?? 2
            svg += "<path class=\"\(road.roadClass?.rawValue ?? "path")\" stroke-width=\"\(n(max(metres * frame.scale, 0.4)))\" "
            svg += "d=\"\(SVGText.pathData(road.geometry, frame: frame, decimals: 1))\">"
            if let name = road.name { svg += "<title>\(e(name))</title>" }
            svg += "</path>\n"
        }
        svg += "</g>\n<g class=\"bld\">\n"
        for building in district.buildings {
            guard let box = building.geometry.envelope, box.intersects(world) else { continue }
            svg += "<path d=\"\(SVGText.pathData(building.geometry, frame: frame, decimals: 1))\"><title>\(e(building.id)): \(building.households)</title></path>\n"
        }
        return svg + "</g>\n"
    }

    // MARK: Tables

    func tables() -> String {
        var out = "<section class=\"tables\">\n"
        for (kind, count) in result.counts where count > 0 {
            out += "<h2 id=\"t-\(kind.rawValue)\"><i style=\"background:\(kind.color)\"></i>\(e(t(kind.title, kind.chineseTitle))) <span>(\(count))</span></h2>\n"
            out += "<table><thead><tr><th>\(t("finding", "问题"))</th><th>\(t("concerns", "涉及"))</th><th>\(t("detail", "详情"))</th></tr></thead><tbody>\n"
            for finding in result.findings where finding.kind == kind {
                let link = finding.geometry == nil
                    ? e(finding.id)
                    : "<a href=\"#show-\(e(finding.id))\" data-go=\"\(e(finding.id))\">\(e(finding.id))</a>"
                out += "<tr id=\"r-\(e(finding.id))\"><td>\(link)</td><td>\(e(finding.subject))</td><td>\(e(t(finding.detail, finding.chineseDetail)))</td></tr>\n"
            }
            out += "</tbody></table>\n"
        }
        return out + "</section>\n"
    }

    func notes() -> String {
        let o = result.options
        var out = "<footer><h2>\(t("How this was checked", "检查方法"))</h2><ul>"
        out += t("<li>Areas, widths and distances in metres, in EPSG:\(result.epsg). A gap or overlap thinner than "
                 + "\(n(o.sliverWidth)) m everywhere is a sliver; pieces under \(n(o.dustArea)) m² or under a centimetre wide are numeric noise and not reported.</li>",
                 "<li>面积、宽度和距离以米计，坐标系 EPSG:\(result.epsg)。处处窄于 \(n(o.sliverWidth)) 米的缺口或重叠为细缝；"
                 + "小于 \(n(o.dustArea)) 平方米或窄于一厘米的碎片是数值误差，不报告。</li>")
        out += t("<li>Household bounds: residential grids \(o.bounds.gridMin)-\(o.bounds.gridMax), micro-grids \(o.bounds.microMin)-\(o.bounds.microMax). "
                 + "Dedicated (专属网格) and rural grids are exempt.</li>",
                 "<li>户数范围：住宅网格 \(o.bounds.gridMin)-\(o.bounds.gridMax) 户，微网格 \(o.bounds.microMin)-\(o.bounds.microMax) 户。专属网格和农村网格不受限。</li>")
        for note in result.notes { out += "<li>\(e(t(note, Self.chineseNotes[note] ?? note)))</li>" }
        out += "</ul></footer>\n"
        return out
    }

    /// The check's notes (`CoverageResult.notes`) in Chinese, for `--lang zh`.
    static let chineseNotes: [String: String] = [
        "No --district: gaps are the holes inside the grids' union; a gap on the outer edge of the grids, or a lake that is not part of any community, cannot be told apart.":
            "未给出 --district：缺口只是网格并集内部的空洞；网格外缘的缺口、不属于任何社区的湖面无法区分。",
        "The grids file has no microgrids layer: micro-grids are not checked.": "网格文件没有 microgrids 图层：未检查微网格。",
        "Dedicated and rural grids, and their micro-grids, have no household bounds and are not checked against them.":
            "专属网格、农村网格及其微网格没有户数范围，不按户数检查。",
        "Some grids have no households value: their household count is not checked.": "部分网格没有户数值：未检查其户数。",
        "No --district: buildings, shops and roads are not checked.": "未给出 --district：未检查楼栋、商铺和道路。",
        "Buildings without households, and buildings, shops and roads outside every community, need no assignment and are not reported.":
            "无住户的楼栋，以及所有社区之外的楼栋、商铺和道路无需划入网格，不报告。",
        "The grids file has no building_assignments layer: buildings are not checked.": "网格文件没有 building_assignments 图层：未检查楼栋。",
        "The grids file has no shop_assignments layer: shops are not checked.": "网格文件没有 shop_assignments 图层：未检查商铺。",
        "The grids file has no road_assignments layer: roads are not checked.": "网格文件没有 road_assignments 图层：未检查道路。",
    ]

    // MARK: Style and script

    static let css = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:0;color:#1b1b1b;background:#f6f7f9}
        header{padding:14px 22px 4px}h1{font-size:21px;margin:0 0 4px}.inputs{color:#555;margin:0}code{font-size:12px}
        .headline{display:flex;flex-wrap:wrap;gap:10px;padding:8px 22px}
        .card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:8px 16px;min-width:110px}
        .card .v{font-size:24px;font-weight:600}.card .l{color:#555;font-size:12px}
        .card.bad .v{color:#c0392b}.card.ok .v{color:#1e8449}
        .kinds{padding:2px 22px 8px}.chip{display:inline-block;background:#fff;border:1px solid #dde1e6;border-radius:14px;padding:2px 10px;margin:2px;color:#1b1b1b;text-decoration:none}
        .clean{color:#1e8449;font-weight:600}
        i{display:inline-block;width:12px;height:12px;border:1px solid #444;margin-right:6px;vertical-align:-1px}
        i.line{border:0;border-top:2px solid #222;height:0;vertical-align:3px}i.line.dash{border-top:1px dashed #555}
        .mapbox{display:flex;gap:12px;padding:0 22px;align-items:flex-start}
        .mapwrap{position:relative;flex:1;background:#fff;border:1px solid #dde1e6;border-radius:8px;overflow:hidden}
        #map{display:block;width:100%;height:62vh;min-height:380px;cursor:grab;background:#fbfbfb}
        #map.drag{cursor:grabbing}
        .tools{position:absolute;top:8px;left:8px;display:flex;flex-direction:column;gap:4px}
        .tools button{width:30px;height:30px;font-size:17px;border:1px solid #aaa;border-radius:5px;background:#fff;cursor:pointer}
        .legend{width:235px;background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:6px 12px;font-size:13px}
        .legend h3{font-size:13px;margin:8px 0 4px}.legend label{display:block;cursor:pointer}.hint{color:#666;font-size:12px}
        .grids path{stroke:none;fill-opacity:.62}.bld path{fill:#d9cbb8;stroke:#8c7b6b;stroke-width:.4px;vector-effect:non-scaling-stroke}
        .roads path{fill:none;stroke:#b9b2a6;stroke-linecap:round;stroke-linejoin:round}.roads .arterial{stroke:#e7b85a}.roads .secondary{stroke:#eed27e}
        i.bld{background:#d9cbb8;border-color:#8c7b6b}i.line.road{border-top:3px solid #e7b85a}.micro path{fill:none;stroke:#666;stroke-width:.6px;stroke-dasharray:3 2;vector-effect:non-scaling-stroke}
        .outline path{fill:none;stroke:#222;stroke-width:1.4px;vector-effect:non-scaling-stroke;pointer-events:none}
        .labels text{text-anchor:middle;fill:#1b1b1b;stroke:#ffffff;stroke-opacity:.8;stroke-width:.2em;paint-order:stroke;pointer-events:none}#map.nolabels .labels{display:none}
        .f{cursor:pointer}.f .a{fill-opacity:.45;stroke:var(--c);stroke-width:2.5px;vector-effect:non-scaling-stroke}
        .k-households_out_of_range .a,.k-invalid_geometry .a{stroke-dasharray:6 3;stroke-width:2px}
        .f .l{fill:none;stroke:var(--c);stroke-width:4px;vector-effect:non-scaling-stroke}
        .f .m{fill:none;stroke:var(--c);stroke-width:2.5px;vector-effect:non-scaling-stroke}
        .f.hl .a,.f.hl .l,.f.hl .m{stroke:#00e5ff;stroke-width:5px;animation:pulse .8s 4}
        @keyframes pulse{50%{stroke-opacity:.2}}
        .tables{padding:4px 22px}h2{font-size:17px;margin:18px 0 6px}h2 span{color:#777;font-weight:400}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e6}
        th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef1;vertical-align:top}th{background:#f0f2f5;font-weight:600}
        td:first-child{white-space:nowrap}tr.hl td{background:#e0fbff}
        footer{padding:6px 22px 30px;color:#444;font-size:13px}footer h2{font-size:15px}
        """

    static let script = """
        (function(){
        var svg=document.getElementById('map');if(!svg)return;var vb=svg.viewBox.baseVal;
        var home=[vb.x,vb.y,vb.width,vb.height];var fs=parseFloat(svg.getAttribute('data-fs'))||10;
        function scale(){var r=svg.getBoundingClientRect();return Math.max(vb.width/r.width,vb.height/r.height);}
        function update(){var k=scale();var ms=svg.querySelectorAll('.m');for(var i=0;i<ms.length;i++){ms[i].setAttribute('r',(7*k).toFixed(4));}
        svg.classList.toggle('nolabels',fs/k<5.5);
        var lb=svg.querySelector('.labels');if(lb)lb.setAttribute('font-size',Math.min(fs,13*k).toFixed(4));}
        function set(x,y,w,h){vb.x=x;vb.y=y;vb.width=w;vb.height=h;update();}
        function pt(ev){var r=svg.getBoundingClientRect();var s=scale();var ox=(r.width*s-vb.width)/2,oy=(r.height*s-vb.height)/2;
        return {x:vb.x+(ev.clientX-r.left)*s-ox,y:vb.y+(ev.clientY-r.top)*s-oy};}
        function zoom(f,cx,cy){if(cx===undefined){cx=vb.x+vb.width/2;cy=vb.y+vb.height/2;}
        set(cx-(cx-vb.x)*f,cy-(cy-vb.y)*f,vb.width*f,vb.height*f);}
        svg.addEventListener('wheel',function(ev){ev.preventDefault();var p=pt(ev);zoom(ev.deltaY<0?0.8:1.25,p.x,p.y);},{passive:false});
        var drag=null,moved=false;
        svg.addEventListener('mousedown',function(ev){drag={x:ev.clientX,y:ev.clientY,vx:vb.x,vy:vb.y,s:scale()};moved=false;svg.classList.add('drag');});
        window.addEventListener('mousemove',function(ev){if(!drag)return;var dx=ev.clientX-drag.x,dy=ev.clientY-drag.y;
        if(Math.abs(dx)+Math.abs(dy)>3)moved=true;set(drag.vx-dx*drag.s,drag.vy-dy*drag.s,vb.width,vb.height);});
        window.addEventListener('mouseup',function(){drag=null;svg.classList.remove('drag');});
        document.getElementById('zin').onclick=function(){zoom(0.67);};
        document.getElementById('zout').onclick=function(){zoom(1.5);};
        document.getElementById('zhome').onclick=function(){set(home[0],home[1],home[2],home[3]);};
        function clear(){var h=document.querySelectorAll('.hl');for(var i=0;i<h.length;i++)h[i].classList.remove('hl');}
        function go(id,scroll){var g=document.getElementById('f-'+id);if(!g)return;var b=g.getAttribute('data-b').split(' ').map(Number);
        var size=Math.max(b[2],b[3],home[2]/40);var pad=size*0.8;
        set(b[0]+b[2]/2-size/2-pad,b[1]+b[3]/2-size/2-pad,size+2*pad,size+2*pad);
        clear();g.classList.add('hl');g.style.display='';var row=document.getElementById('r-'+id);if(row)row.classList.add('hl');
        if(scroll)svg.scrollIntoView({behavior:'smooth',block:'center'});}
        var links=document.querySelectorAll('a[data-go]');
        for(var i=0;i<links.length;i++){links[i].addEventListener('click',function(ev){ev.preventDefault();
        var id=this.getAttribute('data-go');go(id,true);history.replaceState(null,'','#show-'+id);});}
        var fs2=svg.querySelectorAll('.f');
        for(var j=0;j<fs2.length;j++){fs2[j].addEventListener('click',function(){if(moved)return;var id=this.id.slice(2);
        clear();this.classList.add('hl');var row=document.getElementById('r-'+id);
        if(row){row.classList.add('hl');row.scrollIntoView({behavior:'smooth',block:'center'});}});}
        var ls=document.querySelectorAll('input[data-layer]');
        for(var q=0;q<ls.length;q++){ls[q].addEventListener('change',function(){var g=svg.querySelector('g.'+this.getAttribute('data-layer'));
        if(g)g.style.display=this.checked?'':'none';});}
        var boxes=document.querySelectorAll('input[data-k]');
        for(var k=0;k<boxes.length;k++){boxes[k].addEventListener('change',function(){var on=this.checked;
        var gs=svg.querySelectorAll('.k-'+this.getAttribute('data-k'));for(var i=0;i<gs.length;i++)gs[i].style.display=on?'':'none';});}
        window.addEventListener('resize',update);update();
        if(location.hash.indexOf('#show-')===0)go(location.hash.slice(6),false);
        })();
        """
}
