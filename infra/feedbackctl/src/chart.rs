//! A small hand-written SVG bar chart: groups of horizontal bars (one per series), with
//! labels and values, readable in any browser or image viewer. No plotting crate.

use std::fmt::Write;

/// One group of bars: a label and one value per series.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub values: Vec<f64>,
    /// What is written beside each bar.
    pub shown: Vec<String>,
}

/// A series: its name in the legend and its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series<'a> {
    pub name: &'a str,
    pub colour: &'a str,
}

/// Text for an SVG text node or attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 170.0;
/// Room for the text beside the longest bar: about this much per character.
const CHAR_WIDTH: f64 = 7.0;
const BAR: f64 = 16.0;
const GAP: f64 = 14.0;
const TOP: f64 = 78.0;

/// Horizontal grouped bars, scaled to the largest value.
pub fn grouped_bars(
    title: &str,
    subtitle: &str,
    series: &[Series<'_>],
    groups: &[Group],
) -> String {
    let per_group = BAR * series.len().max(1) as f64 + GAP;
    let height = TOP + per_group * groups.len().max(1) as f64 + 30.0;
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .fold(0.0_f64, f64::max);
    let longest_shown = groups
        .iter()
        .flat_map(|g| g.shown.iter().map(|s| s.chars().count()))
        .max()
        .unwrap_or(0);
    let value_width = (longest_shown as f64 * CHAR_WIDTH + 16.0).max(40.0);
    let room = (WIDTH - LABEL_WIDTH - value_width - 20.0).max(100.0);
    let mut svg = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="28" font-size="17" font-weight="bold" fill="#1f2933">{}</text>
<text x="20" y="48" fill="#52606d">{}</text>
"##,
        escape(title),
        escape(subtitle)
    );
    let mut legend_x = 20.0;
    for s in series {
        let _ = writeln!(
            svg,
            r##"<rect x="{legend_x}" y="58" width="12" height="12" fill="{}"/><text x="{}" y="69" fill="#1f2933">{}</text>"##,
            escape(s.colour),
            legend_x + 18.0,
            escape(s.name)
        );
        legend_x += 28.0 + 8.0 * s.name.chars().count() as f64;
    }
    for (i, group) in groups.iter().enumerate() {
        let y = TOP + per_group * i as f64;
        let middle = y + BAR * series.len() as f64 / 2.0 + 4.0;
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{middle}" text-anchor="end" fill="#1f2933">{}</text>"##,
            LABEL_WIDTH - 10.0,
            escape(&group.label)
        );
        for (j, s) in series.iter().enumerate() {
            let value = group.values.get(j).copied().unwrap_or(0.0).max(0.0);
            let width = if max > 0.0 { room * value / max } else { 0.0 };
            let bar_y = y + BAR * j as f64;
            let _ = writeln!(
                svg,
                r##"<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width:.1}" height="{}" fill="{}"><title>{}: {}</title></rect>"##,
                BAR - 2.0,
                escape(s.colour),
                escape(s.name),
                escape(group.shown.get(j).map_or("", String::as_str))
            );
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{}" fill="#323f4b" font-size="12">{}</text>"##,
                LABEL_WIDTH + width + 6.0,
                bar_y + BAR - 5.0,
                escape(group.shown.get(j).map_or("", String::as_str))
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_a_bar_per_value_scaled_to_the_largest() {
        let svg = grouped_bars(
            "Complaints by theme",
            "last 30 days",
            &[
                Series {
                    name: "before",
                    colour: "#9aa5b1",
                },
                Series {
                    name: "now",
                    colour: "#2f6fde",
                },
            ],
            &[
                Group {
                    label: "website".into(),
                    values: vec![2.0, 4.0],
                    shown: vec!["2".into(), "4".into()],
                },
                Group {
                    label: "delivery".into(),
                    values: vec![1.0, 0.0],
                    shown: vec!["1".into(), "0".into()],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<rect x=\"170\"").count(), 4, "{svg}");
        let full = WIDTH - LABEL_WIDTH - (2.0 * CHAR_WIDTH + 16.0).max(40.0) - 20.0;
        assert!(svg.contains(&format!("width=\"{full:.1}\"")), "{svg}");
    }

    #[test]
    fn labels_cannot_break_the_svg() {
        assert_eq!(
            escape("<script>&\"'\u{1b}"),
            "&lt;script&gt;&amp;&quot;&#39;"
        );
    }
}
