package io.sluice.sanitize;

import java.util.Set;

/**
 * The finders of name-like entities ({@link PiiType#ENTITIES}): people, street addresses, organizations. A policy
 * names which it wants; each costs a pass over the text, so a route that asks for none pays nothing.
 */
final class EntityFinder {
    private final PersonFinder people = new PersonFinder(NameGazetteer.shipped());
    private final OrganizationFinder organizations = new OrganizationFinder(NameGazetteer.shipped());

    /** A finder for {@code types}; {@link PiiRedactor.Finder#NONE} for none. */
    PiiRedactor.Finder finder(Set<PiiType> types) {
        if (types.isEmpty()) {
            return PiiRedactor.Finder.NONE;
        }
        boolean person = types.contains(PiiType.PERSON);
        boolean address = types.contains(PiiType.STREET_ADDRESS);
        boolean organization = types.contains(PiiType.ORGANIZATION);
        return (text, sink) -> {
            if (address) {
                AddressFinder.find(text, sink);
            }
            if (organization) {
                organizations.find(text, sink);
            }
            if (person) {
                people.find(text, sink);
            }
        };
    }
}
