/// Names and statistical division codes in the style of a Chinese city.
enum Names {
    /// Two-character stems of street, community, compound and village names.
    static let stems = [
        "和平", "建设", "人民", "解放", "光明", "幸福", "团结", "胜利", "新华", "中山",
        "东风", "朝阳", "长江", "黄河", "泰山", "青年", "文化", "友谊", "振兴", "丰收",
        "金桥", "银杏", "翠湖", "枫林", "桂园", "丽景", "锦绣", "华苑", "康乐", "明珠",
        "春晖", "海棠", "紫荆", "瑞祥", "安居", "和谐", "阳光", "碧水", "兴业", "福山",
    ]

    static func stem(_ index: Int) -> String { stems[index % stems.count] }

    /// 1 一, 12 十二, 40 四十, 99 九十九; digits from 100 on.
    static func chineseNumeral(_ n: Int) -> String {
        let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
        switch n {
        case 0..<10: return digits[n]
        case 10..<20: return "十" + (n % 10 == 0 ? "" : digits[n % 10])
        case 20..<100: return digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10])
        default: return String(n)
        }
    }

    /// `prefix` and `n` zero-padded to `width` digits: `"b"`, 42, 7 gives `"b0000042"`.
    static func id(_ prefix: String, _ n: Int, width: Int) -> String {
        let digits = String(n)
        return prefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    // Statistical division codes: 6-digit county, 3-digit township (001-099 a street, 街道;
    // 100-199 a town, 镇), 3-digit village (001-199 a residents' committee, 社区; 200-399 a
    // villagers' committee, 村). Counties count up from 370202 when one runs out of townships.

    static let firstCounty = 370202
    static let townshipsPerCounty = 99

    /// The 9-digit code of urban street `index` (0-based).
    static func streetCode(_ index: Int) -> String {
        String(firstCounty + index / townshipsPerCounty) + id("", index % townshipsPerCounty + 1, width: 3)
    }

    /// The 9-digit code of rural town `index` (0-based).
    static func townCode(_ index: Int) -> String {
        String(firstCounty + index / townshipsPerCounty) + id("", 100 + index % townshipsPerCounty, width: 3)
    }

    static func streetName(_ index: Int) -> String {
        let round = index / stems.count
        return stem(index) + (round == 0 ? "" : chineseNumeral(round + 1)) + "街道"
    }

    static func townName(_ index: Int) -> String {
        let round = index / stems.count
        return stem(index + 17) + (round == 0 ? "" : chineseNumeral(round + 1)) + "镇"
    }
}
