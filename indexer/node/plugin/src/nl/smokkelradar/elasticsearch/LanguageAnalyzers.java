package nl.smokkelradar.elasticsearch;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.ar.ArabicAnalyzer;
import org.apache.lucene.analysis.ckb.SoraniAnalyzer;
import org.apache.lucene.analysis.de.GermanAnalyzer;
import org.apache.lucene.analysis.el.GreekAnalyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.fa.PersianAnalyzer;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.analysis.nl.DutchAnalyzer;
import org.apache.lucene.analysis.ru.RussianAnalyzer;
import org.apache.lucene.analysis.tr.TurkishAnalyzer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * The language analyzers of Elasticsearch's analysis-common module, by the same names and with
 * the same settings ({@code stopwords}, {@code stopwords_path}, {@code stem_exclusion}), each
 * built on the Lucene analyzer that the production module wraps as well.
 */
final class LanguageAnalyzers {

    private LanguageAnalyzers() {}

    /** Builds a Lucene analyzer from the stop words and the words that must not be stemmed. */
    @FunctionalInterface
    private interface Builder {
        Analyzer build(CharArraySet stopWords, CharArraySet stemExclusion);
    }

    static Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> providers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> byName = new TreeMap<>();
        add(byName, "arabic", ArabicAnalyzer::getDefaultStopSet, ArabicAnalyzer::new);
        // Lucene's Persian and Greek analyzers have no stem exclusion; Elasticsearch ignores it too.
        add(byName, "persian", PersianAnalyzer::getDefaultStopSet, (stop, keep) -> new PersianAnalyzer(stop));
        add(byName, "sorani", SoraniAnalyzer::getDefaultStopSet, SoraniAnalyzer::new);
        add(byName, "turkish", TurkishAnalyzer::getDefaultStopSet, TurkishAnalyzer::new);
        add(byName, "english", EnglishAnalyzer::getDefaultStopSet, EnglishAnalyzer::new);
        add(byName, "french", FrenchAnalyzer::getDefaultStopSet, FrenchAnalyzer::new);
        add(byName, "dutch", DutchAnalyzer::getDefaultStopSet, DutchAnalyzer::new);
        add(byName, "german", GermanAnalyzer::getDefaultStopSet, GermanAnalyzer::new);
        add(byName, "italian", ItalianAnalyzer::getDefaultStopSet, ItalianAnalyzer::new);
        add(byName, "greek", GreekAnalyzer::getDefaultStopSet, (stop, keep) -> new GreekAnalyzer(stop));
        add(byName, "russian", RussianAnalyzer::getDefaultStopSet, RussianAnalyzer::new);
        return Collections.unmodifiableMap(byName);
    }

    private static void add(
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> byName,
        String name,
        Supplier<CharArraySet> defaultStopWords,
        Builder builder
    ) {
        byName.put(name, (indexSettings, environment, analyzerName, settings) -> {
            // Analysis resolves named lists (_arabic_, _none_), inline lists and stopwords_path
            // exactly as the production module does.
            CharArraySet stopWords = Analysis.parseStopWords(environment, settings, defaultStopWords.get());
            CharArraySet stemExclusion = Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET);
            return new Provider(analyzerName, settings, builder.build(stopWords, stemExclusion));
        });
    }

    /** Hands one analyzer instance to Elasticsearch; the instance is shared by the index. */
    private static final class Provider extends AbstractIndexAnalyzerProvider<Analyzer> {
        private final Analyzer analyzer;

        Provider(String name, Settings settings, Analyzer analyzer) {
            super(name, settings);
            this.analyzer = analyzer;
        }

        @Override
        public Analyzer get() {
            return analyzer;
        }
    }
}
