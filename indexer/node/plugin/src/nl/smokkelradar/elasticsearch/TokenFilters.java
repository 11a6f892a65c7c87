package nl.smokkelradar.elasticsearch;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.ar.ArabicNormalizationFilter;
import org.apache.lucene.analysis.ar.ArabicStemFilter;
import org.apache.lucene.analysis.ckb.SoraniNormalizationFilter;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.fa.PersianNormalizationFilter;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;

/**
 * Token filters of Elasticsearch's analysis-common module that smokkelradar's custom analyzers
 * use, by the same names and settings. The server itself only has {@code stop}, {@code shingle},
 * {@code hunspell} and a {@code lowercase} that ignores its {@code language} setting.
 */
final class TokenFilters {

    private TokenFilters() {}

    static Map<String, AnalysisProvider<TokenFilterFactory>> providers() {
        Map<String, AnalysisProvider<TokenFilterFactory>> byName = new TreeMap<>();
        // Character-level filters also apply in normalizers (keyword fields), as in production.
        byName.put("arabic_normalization", normalizing(ArabicNormalizationFilter::new));
        byName.put("persian_normalization", normalizing(PersianNormalizationFilter::new));
        byName.put("sorani_normalization", normalizing(SoraniNormalizationFilter::new));
        // Eastern Arabic and Persian digits become 0-9, so prices and phone numbers match.
        byName.put("decimal_digit", normalizing(DecimalDigitFilter::new));
        byName.put("arabic_stem", stemming(ArabicStemFilter::new));
        byName.put("asciifolding", (indexSettings, environment, name, settings) -> asciiFolding(name, settings));
        byName.put("lowercase", (indexSettings, environment, name, settings) -> lowercase(name, settings));
        return Collections.unmodifiableMap(byName);
    }

    private static AnalysisProvider<TokenFilterFactory> normalizing(UnaryOperator<TokenStream> filter) {
        return (indexSettings, environment, name, settings) -> new Normalizing(name, settings, filter);
    }

    private static AnalysisProvider<TokenFilterFactory> stemming(UnaryOperator<TokenStream> filter) {
        return (indexSettings, environment, name, settings) -> new AbstractTokenFilterFactory(name, settings) {
            @Override
            public TokenStream create(TokenStream tokenStream) {
                return filter.apply(tokenStream);
            }
        };
    }

    private static TokenFilterFactory asciiFolding(String name, Settings settings) {
        return new AsciiFolding(name, settings, settings.getAsBoolean("preserve_original", false));
    }

    private static TokenFilterFactory lowercase(String name, Settings settings) {
        String language = settings.get("language");
        UnaryOperator<TokenStream> filter;
        if (language == null) {
            filter = LowerCaseFilter::new;
        } else if (language.equalsIgnoreCase("greek")) {
            filter = GreekLowerCaseFilter::new;
        } else if (language.equalsIgnoreCase("irish")) {
            filter = IrishLowerCaseFilter::new;
        } else if (language.equalsIgnoreCase("turkish")) {
            filter = TurkishLowerCaseFilter::new;
        } else {
            throw new IllegalArgumentException("language [" + language + "] not support for lower case");
        }
        return new Normalizing(name, settings, filter);
    }

    /** Folds letters to ASCII; may keep the original token beside the folded one, except in normalizers. */
    private static final class AsciiFolding extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final boolean preserveOriginal;

        AsciiFolding(String name, Settings settings, boolean preserveOriginal) {
            super(name, settings);
            this.preserveOriginal = preserveOriginal;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream tokenStream) {
            // A normalizer must yield one token per input, so the original is never kept.
            return new ASCIIFoldingFilter(tokenStream, false);
        }
    }

    /** A filter that works per character, so it is also safe in a normalizer. */
    private static final class Normalizing extends AbstractTokenFilterFactory implements NormalizingTokenFilterFactory {
        private final UnaryOperator<TokenStream> filter;

        Normalizing(String name, Settings settings, UnaryOperator<TokenStream> filter) {
            super(name, settings);
            this.filter = filter;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return filter.apply(tokenStream);
        }
    }
}
